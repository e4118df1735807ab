// What the HTTP benchmarks of bench/peers (n8n's and Quorum's) share: the memory and CPU time of
// a server's process tree, read from /proc, its graceful stop, and a wrk load that samples the
// tree's memory while it runs. Imported as "../proc.mjs" by a bench.mjs that runs from its
// folder in bench/peers.

import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const here = dirname(new URL(import.meta.url).pathname);

function parentOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** Every process below `root`, children before grandchildren. */
export function descendants(root) {
  const children = new Map();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const ppid = parentOf(pid);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const kids = children.get(todo.shift()) ?? [];
    out.push(...kids);
    todo.push(...kids);
  }
  return out;
}

/**
 * The RSS in KiB of a process and all its descendants (VmRSS of each, summed), how many they
 * are, and the CPU seconds they have used (user + system, with their reaped children's).
 */
export function treeUsage(root) {
  let kib = 0;
  let processes = 0;
  let ticks = 0;
  for (const pid of [root, ...descendants(root)]) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime stime cutime cstime (fields 14-17 of stat), in USER_HZ = 100 per second
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      if (m) {
        kib += Number(m[1]);
        processes++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return { kib, processes, cpu: ticks / 100 };
}

export const mib = (kib) => Math.round(kib / 1024);

/** Kills a process and everything below it at once. */
export function killTree(child) {
  for (const pid of [child.pid, ...descendants(child.pid)]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

/**
 * A graceful stop: SIGTERM, then the whole tree killed if it outlasts `graceMs`. Returns the
 * milliseconds from the signal to the exit.
 */
export async function stop(child, graceMs = 60_000) {
  if (child.exitCode !== null || child.signalCode !== null) return 0;
  const stopped = new Promise((resolve) => child.on("exit", resolve));
  const tree = descendants(child.pid);
  const t = performance.now();
  child.kill("SIGTERM");
  if ((await Promise.race([stopped.then(() => true), sleep(graceMs).then(() => false)])) === false) {
    for (const pid of [child.pid, ...tree]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    await stopped;
  }
  return Math.round(performance.now() - t);
}

/** The status of a request, 0 when there was no answer within 10 s. */
export async function status(url, init) {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * wrk (2 threads, `connections` connections, for `duration`, as wrk takes it) POSTing `body`
 * to `url` with `headers`, while the RSS of `server`'s process tree is sampled every 200 ms
 * into `memory` ({peak, loaded} in KiB). Returns wrk's totals: requests, duration_us, non2xx,
 * socket_errors and the latency percentiles p50_us, p90_us, p99_us, max_us. `check` is called
 * at each sample and throws to abandon the load (say, when the server has exited).
 */
export async function wrkPost({ url, body, headers = {}, connections, duration, server, memory, check = () => {} }) {
  const env = {
    ...process.env,
    WRK_BODY: body,
    WRK_HEADERS: Object.entries({ "Content-Type": "application/json", ...headers })
      .map(([name, value]) => `${name}: ${value}`)
      .join("\n"),
  };
  const wrk = spawn("wrk", ["-t2", `-c${connections}`, `-d${duration}`, "--timeout", "10s", "-s", join(here, "post.lua"), url], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  wrk.stdout.on("data", (d) => (out += d));
  const done = new Promise((resolve) => wrk.on("exit", resolve));
  let code;
  for (;;) {
    const sample = treeUsage(server.pid).kib;
    memory.peak = Math.max(memory.peak ?? 0, sample);
    memory.loaded = sample;
    check();
    code = await Promise.race([done, sleep(200).then(() => undefined)]);
    if (code !== undefined) break;
  }
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${out}`);
  const line = out.split("\n").find((l) => l.startsWith("wrk-summary "));
  if (!line) throw new Error(`no summary from wrk:\n${out}`);
  const totals = {};
  for (const kv of line.trim().split(" ").slice(1)) {
    const [k, v] = kv.split("=");
    totals[k] = Number(v);
  }
  return totals;
}

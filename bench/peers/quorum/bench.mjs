// Quorum beside n8n's webhook workflow (../n8n/bench.mjs): a workflow type of 8 `core.noop` steps
// without oversight, proposed over HTTP by an agent at 16 connections and run by the workers of
// the same `quorum serve`, on this machine. One measurement per run, printed as one JSON line in
// the shape of n8n's.
//
//   node bench.mjs --quorum-bin target/release/quorum --db sqlite|postgres \
//       [--pg postgres://postgres@127.0.0.1:5432/quorum_peers_quorum] [--duration 20s] \
//       [--connections 16] [--port 5692] [--idle 5] [--warmup 5s] [--steps 8]
//
// In a fresh QUORUM_DATA_DIR (a temporary folder, removed afterwards) and a fresh database (SQLite
// in that folder, or the PostgreSQL database named by --pg, which must exist and be empty):
//
//   1. `quorum serve`, timed from exec: time_to_healthy_ms until GET /healthz answers 200,
//      time_to_ready_ms until GET /readyz does (database migrated and reachable, queue
//      reachable), polled every 5 ms. Quorum migrates its schema inside that time.
//   2. Set-up over the API with the admin token, timed as setup_ms: an agent and a member
//      (POST /api/principals), the council that owns the type's domain (POST /api/councils) and
//      the type (POST /api/workflow-types): 8 steps of the handler core.noop, `oversight.required`
//      false, so a proposed workflow is queued at once, as n8n's webhook runs at once. One probe
//      workflow is then proposed and waited for (time_to_first_workflow_ms, from exec).
//   3. Memory: the RSS of quorum's process (VmRSS from /proc, with any children, as for n8n)
//      when /healthz first answers (rss_mib.healthy) and --idle seconds after the probe
//      completed (rss_mib.idle).
//   4. Warm-up: the same load as below for --warmup, not counted, and drained.
//   5. Load: wrk, 2 threads and --connections connections, POSTs {"workflow_type_id", "inputs":
//      {}} to /api/workflows as the agent for --duration. Each 201 is a workflow created, stored
//      and queued; the workers of the same process run its 8 steps meanwhile, each step's start
//      and result committed, as Quorum always does. The bench counts the type's workflows by
//      status through the API (every 50 ms once the load ends, until none is pending or
//      running), and follows GET /api/events (the agent's, as Server-Sent Events) for when each
//      one was created and completed:
//        created_per_s     the 201s over wrk's duration;
//        workflows_per_s   the workflows completed since the load began over the time from its
//                          start to the last completion: complete executions per second, the
//                          figure that compares with n8n's executions_per_s (n8n answers a
//                          webhook when its 8 nodes have run);
//        latency_ms        wrk's, of the POST (p50, p90, p99, max);
//        completion_ms     from each workflow's `created` event to its `completed` event as this
//                          client received them (p50, p90, p99, max): how long its steps waited
//                          and ran. events_missed counts the workflows the API has completed
//                          and the stream never said so; with any, the last completion is the
//                          API's, to the 50 ms of its polling.
//      The RSS is sampled every 200 ms during warm-up, load and drain: rss_mib.peak is the
//      largest sample, rss_mib.loaded the last one of the load. quorum_cpu_ms_per_workflow: the
//      CPU time of the process from the start of the load to the last completion over the
//      workflows (PostgreSQL's own CPU is not in it, as it is not in n8n's).
//   6. quorum is stopped (SIGTERM, its graceful shutdown); stop_ms is how long it took.
//   7. `quorum serve` again on the same folder and database, timed from exec to /readyz
//      (time_to_ready_restarted_ms): the start of a deploy or of a restart after a crash, with
//      the schema there already, as n8n's time_to_ready_ms is (its import migrated first).
// A run with any non-2xx answer, socket error, or a workflow failed or cancelled prints no figure: it fails, and
// keeps the data folder with quorum's log for a look.
//
// Quorum runs with its defaults (in-process workers: QUORUM_WORKERS, default 16; the database
// queue), RUST_LOG=warn; the JSON line reports the settings in force.

import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { execFileSync } from "node:child_process";
import { killTree, mib, status, stop, treeUsage, wrkPost } from "../proc.mjs";

const { values: opts } = parseArgs({
  options: {
    "quorum-bin": { type: "string" },
    db: { type: "string", default: "sqlite" },
    pg: { type: "string", default: "postgres://postgres@127.0.0.1:5432/quorum_peers_quorum" },
    duration: { type: "string", default: "20s" },
    connections: { type: "string", default: "16" },
    port: { type: "string", default: "5692" },
    idle: { type: "string", default: "5" },
    warmup: { type: "string", default: "5s" },
    steps: { type: "string", default: "8" },
  },
});
if (!opts["quorum-bin"]) throw new Error("--quorum-bin is required");
if (!["sqlite", "postgres"].includes(opts.db)) throw new Error("--db sqlite|postgres");
const steps = Number(opts.steps);
const base = `http://127.0.0.1:${Number(opts.port)}`;
const adminToken = "quorum-peers-admin-token";
const typeId = "peers.noop";

const dataDir = mkdtempSync(join(tmpdir(), "quorum-peers-quorum-"));
const log = join(dataDir, "quorum.log");
const env = {
  ...process.env,
  QUORUM_DATA_DIR: dataDir,
  QUORUM_BIND: `127.0.0.1:${Number(opts.port)}`,
  QUORUM_ADMIN_TOKEN: adminToken,
  RUST_LOG: process.env.RUST_LOG ?? "warn",
};
if (opts.db === "postgres") env.QUORUM_DATABASE_URL = opts.pg;
else delete env.QUORUM_DATABASE_URL;

function failWithLog(message) {
  let tail = "";
  try {
    tail = readFileSync(log, "utf8").split("\n").slice(-40).join("\n");
  } catch {
    // no log yet
  }
  throw new Error(`${message}\n--- last lines of ${log} ---\n${tail}`);
}

async function api(method, path, token, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) failWithLog(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

// The type of the measurement, as `quorum bench workflows` registers it.
const definition = {
  id: typeId,
  name: "Eight no-op steps",
  description: "Steps that do nothing: measures Quorum itself, beside n8n's no-op nodes.",
  domain: "media",
  category: "Benchmark",
  estimated_duration_seconds: 1,
  input_schema: { type: "object" },
  outputs: {},
  steps: Array.from({ length: steps }, (_, i) => ({ name: `step_${i}`, title: `Step ${i}`, estimated_seconds: 1, handler: "core.noop" })),
  success_criteria: [],
  oversight: { required: false },
  review_criteria: [],
  savings_model: { tasks_automated: "Nothing", minutes_saved_per_week: 1, hourly_rate: 60 },
  max_attempts: 1,
};

// Follows the agent's events, from the newest: when each workflow was created and completed, as
// this client received them. A failed workflow fails the run.
function follow(agentToken) {
  const created = new Map();
  const completed = new Map();
  const controller = new AbortController();
  let failure = null;
  const ready = (async () => {
    const res = await fetch(`${base}/api/events?agent_id=agent_peers`, {
      headers: { authorization: `Bearer ${agentToken}`, accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (res.status !== 200) failWithLog(`GET /api/events answered ${res.status}`);
    return res.body.getReader();
  })();
  const done = (async () => {
    const reader = await ready;
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split("\n").find((l) => l.startsWith("data: "));
        if (!data) continue;
        const event = JSON.parse(data.slice(6));
        const now = performance.now();
        if (event.kind === "created") created.set(event.workflow_id, now);
        else if (event.kind === "completed") completed.set(event.workflow_id, now);
        else if (event.kind === "failed") failure = `workflow ${event.workflow_id} failed: ${JSON.stringify(event.data)}`;
      }
    }
  })().catch((e) => {
    if (e.name !== "AbortError") failure = `the event stream broke: ${e}`;
  });
  return {
    created,
    completed,
    ready,
    failure: () => failure,
    close: () => controller.abort(),
  };
}

// The type's workflows by status, from the API: what the bench counts, whatever the stream saw.
async function counts() {
  const totals = {};
  for (const s of ["pending", "in_progress", "completed", "failed", "cancelled"]) {
    totals[s] = (await api("GET", `/api/workflows?workflow_type_id=${typeId}&status=${s}&limit=1`, adminToken)).total;
  }
  return totals;
}

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
  return { p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

let quorum;
let result;
let failed = true;
let events;
try {
  const out = createWriteStream(log, { flags: "a" });
  await new Promise((resolve) => out.on("open", resolve));
  // `quorum serve` on the data folder and database; `until(path)` is the time from exec to
  // that path's first 200.
  const launch = () => {
    const t0 = performance.now();
    const proc = spawn(opts["quorum-bin"], ["serve"], { env, cwd: dataDir, stdio: ["ignore", out, out] });
    let exited = null;
    proc.on("exit", (code, signal) => (exited = { code, signal }));
    const check = () => {
      if (exited !== null) failWithLog(`quorum exited (${JSON.stringify(exited)})`);
    };
    const deadline = t0 + 60_000;
    const until = async (path) => {
      while ((await status(`${base}${path}`)) !== 200) {
        check();
        if (performance.now() > deadline) failWithLog(`${path} did not answer 200 within a minute`);
        await sleep(5);
      }
      return Math.round(performance.now() - t0);
    };
    return { proc, t0, check, until };
  };
  // The first start migrates the fresh database.
  const first = launch();
  quorum = first.proc;
  const { t0, check, until } = first;
  const healthyMs = await until("/healthz");
  const rssHealthy = treeUsage(quorum.pid);
  const readyMs = await until("/readyz");

  const setupStart = performance.now();
  const agent = await api("POST", "/api/principals", adminToken, { id: "agent_peers", kind: "agent", roles: ["agent"], name: "Peers bench agent" });
  await api("POST", "/api/principals", adminToken, { id: "user_peers", kind: "user", roles: ["member"], name: "Peers bench member" });
  await api("POST", "/api/councils", adminToken, { id: "council_peers", name: "Peers Council", domains: ["media"], members: ["user_peers"], threshold: "simple_majority" });
  await api("POST", "/api/workflow-types", adminToken, definition);
  const setupMs = Math.round(performance.now() - setupStart);

  // Until every workflow proposed so far has ended, polled every 50 ms; the time it was seen so.
  const memory = { peak: 0, loaded: 0 };
  async function drain(deadlineMs) {
    const end = performance.now() + deadlineMs;
    for (;;) {
      check();
      if (events.failure()) failWithLog(events.failure());
      memory.peak = Math.max(memory.peak, treeUsage(quorum.pid).kib);
      const now = await counts();
      if (now.failed || now.cancelled) failWithLog(`workflows ended otherwise than completed: ${JSON.stringify(now)}`);
      if (now.pending === 0 && now.in_progress === 0) return { at: performance.now(), completed: now.completed };
      if (performance.now() > end) failWithLog(`not every workflow ended in ${deadlineMs} ms: ${JSON.stringify(now)}`);
      await sleep(50);
    }
  }

  events = follow(agent.token);
  await events.ready;
  const proposal = { workflow_type_id: typeId, inputs: {} };
  await api("POST", "/api/workflows", agent.token, proposal);
  await drain(30_000);
  const firstWorkflowMs = Math.round(performance.now() - t0);

  await sleep(Number(opts.idle) * 1000);
  const rssIdle = treeUsage(quorum.pid);
  memory.loaded = rssIdle.kib;
  async function load(duration, what) {
    const w = await wrkPost({
      url: `${base}/api/workflows`,
      body: JSON.stringify(proposal),
      headers: { Authorization: `Bearer ${agent.token}` },
      connections: opts.connections,
      duration,
      server: quorum,
      memory,
      check,
    });
    check();
    if (w.non2xx || w.socket_errors) {
      failWithLog(`${what}: ${w.non2xx} non-2xx answers and ${w.socket_errors} socket errors in ${w.requests} requests`);
    }
    return w;
  }
  if (!/^0+[a-z]*$/.test(opts.warmup)) {
    await load(opts.warmup, "warm-up");
    await drain(600_000);
  }
  const before = new Set(events.created.keys());
  const completedBefore = (await counts()).completed;
  const cpuStart = treeUsage(quorum.pid).cpu;
  const loadStart = performance.now();
  const w = await load(opts.duration, "load");
  const loaded = memory.loaded;
  const drained = await drain(600_000);
  const cpuUsed = treeUsage(quorum.pid).cpu - cpuStart;
  const workflows = drained.completed - completedBefore;
  // wrk counts the answers it read: up to one request per connection was still in flight when
  // it stopped, and created its workflow all the same.
  if (workflows < w.requests || workflows > w.requests + Number(opts.connections)) {
    failWithLog(`${w.requests} workflows created, ${workflows} completed`);
  }
  // Latency from the stream, of the workflows it saw both created and completed. Should it miss
  // an event, the rate is timed by the API's counts instead, to the 50 ms of their polling, and
  // the line says how many it missed.
  const measured = [...events.created.keys()].filter((id) => !before.has(id));
  const seen = measured.filter((id) => events.completed.has(id));
  const eventsMissed = workflows - seen.length;
  const lastCompleted = eventsMissed === 0 ? Math.max(...seen.map((id) => events.completed.get(id))) : drained.at;
  const completion = seen.map((id) => events.completed.get(id) - events.created.get(id));
  events.close();

  const stopMs = await stop(quorum);
  // Started again on the database it migrated: what a deploy or a restart after a crash waits.
  const again = launch();
  quorum = again.proc;
  const restartReadyMs = await again.until("/readyz");
  await stop(quorum);
  out.end();

  result = {
    bench: "webhook_workflow",
    engine: "quorum",
    version: execFileSync(opts["quorum-bin"], ["--version"], { encoding: "utf8" }).trim().split(" ").pop(),
    database: opts.db,
    queue: "db",
    steps,
    connections: Number(opts.connections),
    duration_s: Math.round(w.duration_us / 1e5) / 10,
    workflows,
    created_per_s: Math.round((w.requests / (w.duration_us / 1e6)) * 10) / 10,
    workflows_per_s: Math.round((workflows / ((lastCompleted - loadStart) / 1000)) * 10) / 10,
    drain_ms: Math.round(drained.at - loadStart - w.duration_us / 1000),
    quorum_cpu_ms_per_workflow: Math.round((cpuUsed / workflows) * 1e4) / 10,
    latency_ms: { p50: w.p50_us / 1000, p90: w.p90_us / 1000, p99: w.p99_us / 1000, max: w.max_us / 1000 },
    completion_ms: percentiles(completion),
    events_missed: eventsMissed,
    workflows_completed: drained.completed,
    time_to_healthy_ms: healthyMs,
    time_to_ready_ms: readyMs,
    time_to_ready_restarted_ms: restartReadyMs,
    time_to_first_workflow_ms: firstWorkflowMs,
    setup_ms: setupMs,
    stop_ms: stopMs,
    rss_mib: { healthy: mib(rssHealthy.kib), idle: mib(rssIdle.kib), loaded: mib(loaded), peak: mib(memory.peak) },
    idle_s: Number(opts.idle),
    warmup: opts.warmup,
    settings: { QUORUM_WORKERS: process.env.QUORUM_WORKERS ?? "default", QUORUM_QUEUE: "db", RUST_LOG: env.RUST_LOG },
    ...(opts.db === "postgres" ? { postgres_version: execFileSync("psql", [opts.pg, "-Atc", "show server_version"], { encoding: "utf8" }).trim() } : {}),
  };
  failed = false;
} finally {
  events?.close();
  if (quorum && quorum.exitCode === null && quorum.signalCode === null) killTree(quorum);
  if (failed || process.env.QUORUM_PEERS_KEEP_FOLDER) console.error(`kept ${dataDir} (quorum.log is its log)`);
  else rmSync(dataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));

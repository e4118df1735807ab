// n8n beside Quorum's workflow benchmarks: a webhook-triggered workflow of 8 no-op steps in n8n,
// loaded over HTTP on this machine. One measurement per run, printed as one JSON line.
//
//   node bench.mjs --n8n-dir /tmp/quorum-peers/n8n --db sqlite|postgres \
//       [--pg postgres://postgres@127.0.0.1:5432/quorum_peers_n8n] [--duration 20s] \
//       [--connections 16] [--port 5690] [--idle 5] [--warmup 5s]
//
// Run with the Node.js that n8n was installed for (run.sh does). In a fresh N8N_USER_FOLDER (a
// temporary folder, removed afterwards) and a fresh database (SQLite in that folder, or the
// PostgreSQL database named by --pg, which must exist and be empty):
//
//   1. `n8n import:workflow --input=workflow.json`: the Webhook trigger (POST, responding with
//      the last node's output, "responseMode": "lastNode") followed by 8 "n8n-nodes-base.noOp"
//      nodes. This first command also creates n8n's schema (import_ms includes the migrations).
//   2. `n8n publish:workflow --id=...`: n8n 2's activation of a workflow (publish_ms).
//   3. `n8n start`, timed from exec: time_to_healthy_ms until GET /healthz answers 200,
//      time_to_ready_ms until GET /healthz/readiness does (database connected and migrated,
//      server fully started), then time_to_webhook_ms until a POST to the production webhook
//      answers with the workflow's output (n8n registers active workflows' webhooks after it is
//      up, and until its database is ready it answers any request 200 "n8n is starting up").
//   4. Memory: the RSS of n8n's process tree (the main process and its children, such as the
//      JS task runner; VmRSS of each from /proc/<pid>/status, summed) when /healthz first
//      answers (rss_mib.healthy: n8n is still starting then), and "idle" --idle seconds after
//      the webhook first answered (rss_mib.idle: started, the workflow run once or a few times
//      by the probe, no request since).
//   5. Warm-up: the same load as below for --warmup (default 5s, "0" for none), not counted: a
//      fresh n8n loads its node types and compiles its hot paths during the first requests, and
//      the figure should be its steady state, not its first seconds.
//   6. Load: wrk, 2 threads and --connections connections, POSTs to the webhook for --duration;
//      each request is one complete execution (the response is sent when the last node has
//      finished). executions_per_s counts the 2xx answers over wrk's duration; latency_ms is
//      wrk's (p50, p90, p99, max). The process tree's RSS is sampled every 200 ms during the
//      warm-up and the load: rss_mib.peak is the largest sample, rss_mib.loaded the last one.
//      n8n_cpu_ms_per_execution: the CPU time of that tree during the load over the executions,
//      which moves less than the rate with the machine's other load.
//   7. n8n is stopped (SIGTERM, its graceful shutdown; its whole tree is killed if it outlasts
//      60 s), and the executions it saved are counted in its database (executions_saved,
//      warm-up and probes included).
// A run with any non-2xx answer or socket error prints no figure: it fails, and keeps the
// N8N_USER_FOLDER with n8n's log for a look.
//
// n8n runs with its defaults, which include saving every execution with its data
// (EXECUTIONS_MODE=regular, EXECUTIONS_DATA_SAVE_ON_SUCCESS=all): the JSON line reports the
// execution settings in force, read from n8n's own configuration. Only what would reach out of
// the machine or ask a person is switched off: N8N_DIAGNOSTICS_ENABLED, version notifications,
// templates, personalization, hiring and dynamic banners. N8N_LOG_LEVEL=warn, as Quorum's
// benches run with RUST_LOG=warn. In n8n 2.41 the default expression engine is "vm": each
// execution sets up an isolated-vm isolate (the node types' parameters are evaluated there,
// even for no-op nodes), a large part of an execution's CPU time here;
// N8N_EXPRESSION_ENGINE=legacy measures the in-process engine of earlier versions instead. Any
// other n8n variable set in the environment reaches n8n (and
// its effect on the execution settings shows in the JSON line), e.g.
// EXECUTIONS_DATA_SAVE_ON_SUCCESS=none to measure n8n without saving successful executions.

import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { killTree, mib, status, stop, treeUsage, wrkPost } from "../proc.mjs";

const { values: opts } = parseArgs({
  options: {
    "n8n-dir": { type: "string" },
    db: { type: "string", default: "sqlite" },
    pg: { type: "string", default: "postgres://postgres@127.0.0.1:5432/quorum_peers_n8n" },
    duration: { type: "string", default: "20s" },
    connections: { type: "string", default: "16" },
    port: { type: "string", default: "5690" },
    idle: { type: "string", default: "5" },
    warmup: { type: "string", default: "5s" },
  },
});
if (!opts["n8n-dir"]) throw new Error("--n8n-dir is required");
if (!["sqlite", "postgres"].includes(opts.db)) throw new Error("--db sqlite|postgres");
const n8nDir = opts["n8n-dir"];
const n8nBin = join(n8nDir, "node_modules/n8n/bin/n8n");
const here = dirname(new URL(import.meta.url).pathname);
const workflow = JSON.parse(readFileSync(join(here, "workflow.json"), "utf8"));
const webhookPath = workflow.nodes.find((n) => n.type === "n8n-nodes-base.webhook").parameters.path;
const steps = workflow.nodes.filter((n) => n.type === "n8n-nodes-base.noOp").length;
const port = Number(opts.port);
const base = `http://127.0.0.1:${port}`;
const webhookUrl = `${base}/webhook/${webhookPath}`;

const userFolder = mkdtempSync(join(tmpdir(), "quorum-peers-n8n-"));
const log = join(userFolder, "n8n.log");
const env = {
  ...process.env,
  // n8n starts its task runner as `node` from PATH: the same Node as n8n itself.
  PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
  N8N_USER_FOLDER: userFolder,
  N8N_PORT: String(port),
  N8N_LISTEN_ADDRESS: "127.0.0.1",
  N8N_RUNNERS_BROKER_PORT: String(port + 1),
  N8N_DIAGNOSTICS_ENABLED: "false",
  N8N_VERSION_NOTIFICATIONS_ENABLED: "false",
  N8N_TEMPLATES_ENABLED: "false",
  N8N_PERSONALIZATION_ENABLED: "false",
  N8N_HIRING_BANNER_ENABLED: "false",
  N8N_DYNAMIC_BANNERS_ENABLED: "false",
  N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: "true",
  N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? "warn",
};
let pgUrl;
if (opts.db === "postgres") {
  pgUrl = new URL(opts.pg);
  Object.assign(env, {
    DB_TYPE: "postgresdb",
    DB_POSTGRESDB_HOST: pgUrl.hostname,
    DB_POSTGRESDB_PORT: pgUrl.port || "5432",
    DB_POSTGRESDB_USER: decodeURIComponent(pgUrl.username || "postgres"),
    DB_POSTGRESDB_PASSWORD: decodeURIComponent(pgUrl.password),
    DB_POSTGRESDB_DATABASE: pgUrl.pathname.slice(1),
  });
} else {
  env.DB_TYPE = "sqlite";
}

// The execution settings in force, from n8n's own configuration with this environment.
function n8nSettings() {
  const saved = process.env;
  process.env = env;
  try {
    const req = createRequire(join(n8nDir, "node_modules/n8n/package.json"));
    req("reflect-metadata");
    const { Container } = req("@n8n/di");
    const { GlobalConfig } = req("@n8n/config");
    const c = Container.get(GlobalConfig);
    return {
      EXECUTIONS_MODE: c.executions.mode,
      EXECUTIONS_DATA_SAVE_ON_SUCCESS: c.executions.saveDataOnSuccess,
      EXECUTIONS_DATA_SAVE_ON_ERROR: c.executions.saveDataOnError,
      EXECUTIONS_DATA_SAVE_ON_PROGRESS: c.executions.saveExecutionProgress,
      EXECUTIONS_DATA_PRUNE: c.executions.pruneData,
      EXECUTIONS_DATA_PRUNE_MAX_COUNT: c.executions.pruneDataMaxCount,
      N8N_CONCURRENCY_PRODUCTION_LIMIT: c.executions.concurrency.productionLimit,
      N8N_RUNNERS_MODE: c.taskRunners.mode,
      N8N_EXPRESSION_ENGINE: c.expressionEngine.engine,
      N8N_EXPRESSION_ENGINE_POOL_SIZE: c.expressionEngine.poolSize,
      N8N_LOG_LEVEL: env.N8N_LOG_LEVEL,
      ...(opts.db === "sqlite" ? { DB_SQLITE_POOL_SIZE: c.database.sqlite.poolSize } : { DB_POSTGRESDB_POOL_SIZE: c.database.postgresdb.poolSize }),
    };
  } finally {
    process.env = saved;
  }
}

function failWithLog(message) {
  let tail = "";
  try {
    tail = readFileSync(log, "utf8").split("\n").slice(-40).join("\n");
  } catch {
    // no log yet
  }
  throw new Error(`${message}\n--- last lines of ${log} ---\n${tail}`);
}

// One n8n CLI command to completion, its output into the log; returns its wall time in ms.
async function cli(...args) {
  const out = createWriteStream(log, { flags: "a" });
  await new Promise((resolve) => out.on("open", resolve));
  const t = performance.now();
  const child = spawn(process.execPath, [n8nBin, ...args], { env, cwd: userFolder, stdio: ["ignore", out, out] });
  const code = await new Promise((resolve) => child.on("exit", resolve));
  out.end();
  if (code !== 0) failWithLog(`n8n ${args.join(" ")} exited with ${code}`);
  return Math.round(performance.now() - t);
}

// Whether the webhook runs the workflow: its answer is the Webhook node's output item, which
// says how it was called.
async function webhookAnswers() {
  try {
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return res.status === 200 && JSON.parse(text).executionMode === "production";
  } catch {
    return false;
  }
}

function countExecutions() {
  const sql = "select count(*) from execution_entity";
  if (opts.db === "sqlite") {
    return Number(execFileSync("sqlite3", [join(userFolder, ".n8n/database.sqlite"), sql], { encoding: "utf8" }).trim());
  }
  return Number(execFileSync("psql", [pgUrl.href, "-Atc", sql], { encoding: "utf8" }).trim());
}

let n8n;
let result;
let failed = true;
try {
  const settings = n8nSettings();
  const importMs = await cli("import:workflow", `--input=${join(here, "workflow.json")}`);
  const publishMs = await cli("publish:workflow", `--id=${workflow.id}`);

  const out = createWriteStream(log, { flags: "a" });
  await new Promise((resolve) => out.on("open", resolve));
  const t0 = performance.now();
  n8n = spawn(process.execPath, [n8nBin, "start"], { env, cwd: userFolder, stdio: ["ignore", out, out] });
  let exited = null;
  n8n.on("exit", (code, signal) => (exited = { code, signal }));
  const alive = () => exited === null;

  const deadline = t0 + 300_000;
  while ((await status(`${base}/healthz`)) !== 200) {
    if (!alive()) failWithLog(`n8n exited (${JSON.stringify(exited)}) before /healthz answered`);
    if (performance.now() > deadline) failWithLog("/healthz did not answer within 5 minutes");
    await sleep(50);
  }
  const healthyMs = Math.round(performance.now() - t0);
  const rssHealthy = treeUsage(n8n.pid);
  while ((await status(`${base}/healthz/readiness`)) !== 200) {
    if (!alive()) failWithLog(`n8n exited (${JSON.stringify(exited)}) before /healthz/readiness answered`);
    if (performance.now() > deadline) failWithLog("/healthz/readiness did not answer within 5 minutes");
    await sleep(50);
  }
  const readyMs = Math.round(performance.now() - t0);
  while (!(await webhookAnswers())) {
    if (!alive()) failWithLog(`n8n exited (${JSON.stringify(exited)}) before its webhook answered`);
    if (performance.now() > deadline) failWithLog(`${webhookUrl} did not answer 200 within 5 minutes`);
    await sleep(200);
  }
  const webhookMs = Math.round(performance.now() - t0);

  await sleep(Number(opts.idle) * 1000);
  const rssIdle = treeUsage(n8n.pid);

  // wrk for a duration, sampling the tree's RSS meanwhile; returns wrk's summary.
  const memory = { peak: 0, loaded: rssIdle.kib };
  async function load(duration, what) {
    const check = () => {
      if (!alive()) failWithLog(`n8n exited (${JSON.stringify(exited)}) during the ${what}`);
    };
    const w = await wrkPost({
      url: webhookUrl,
      body: '{"order":1,"note":"quorum peers bench"}',
      connections: opts.connections,
      duration,
      server: n8n,
      memory,
      check,
    });
    check();
    if (w.non2xx || w.socket_errors) {
      failWithLog(`${what}: ${w.non2xx} non-2xx answers and ${w.socket_errors} socket errors in ${w.requests} requests`);
    }
    return w;
  }
  if (!/^0+[a-z]*$/.test(opts.warmup)) await load(opts.warmup, "warm-up");
  const cpuStart = treeUsage(n8n.pid).cpu;
  const w = await load(opts.duration, "load");
  const afterLoad = treeUsage(n8n.pid);
  const cpuUsed = afterLoad.cpu - cpuStart;
  const ok = w.requests;

  // Graceful stop; whatever outlasts 60 s is killed with its children.
  const stopMs = await stop(n8n);
  out.end();
  const saved = countExecutions();
  if (settings.EXECUTIONS_DATA_SAVE_ON_SUCCESS === "all" && saved < ok) {
    failWithLog(`only ${saved} executions saved, ${ok} answered`);
  }

  result = {
    bench: "webhook_workflow",
    engine: "n8n",
    version: JSON.parse(readFileSync(join(n8nDir, "node_modules/n8n/package.json"), "utf8")).version,
    database: opts.db,
    steps,
    connections: Number(opts.connections),
    duration_s: Math.round(w.duration_us / 1e5) / 10,
    executions: ok,
    executions_per_s: Math.round((ok / (w.duration_us / 1e6)) * 10) / 10,
    n8n_cpu_ms_per_execution: Math.round((cpuUsed / ok) * 1e4) / 10,
    latency_ms: { p50: w.p50_us / 1000, p90: w.p90_us / 1000, p99: w.p99_us / 1000, max: w.max_us / 1000 },
    executions_saved: saved,
    time_to_healthy_ms: healthyMs,
    time_to_ready_ms: readyMs,
    time_to_webhook_ms: webhookMs,
    stop_ms: stopMs,
    import_ms: importMs,
    publish_ms: publishMs,
    rss_mib: { healthy: mib(rssHealthy.kib), idle: mib(rssIdle.kib), loaded: mib(memory.loaded), peak: mib(memory.peak) },
    processes: afterLoad.processes,
    idle_s: Number(opts.idle),
    warmup: opts.warmup,
    settings,
    node_version: process.versions.node,
    ...(opts.db === "postgres" ? { postgres_version: execFileSync("psql", [pgUrl.href, "-Atc", "show server_version"], { encoding: "utf8" }).trim() } : {}),
  };
  failed = false;
} finally {
  if (n8n && n8n.exitCode === null && n8n.signalCode === null) killTree(n8n);
  if (failed || process.env.N8N_BENCH_KEEP_FOLDER) console.error(`kept ${userFolder} (n8n.log is its log)`);
  else rmSync(userFolder, { recursive: true, force: true });
}
console.log(JSON.stringify(result));

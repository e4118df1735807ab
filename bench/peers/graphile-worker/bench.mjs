// graphile-worker beside Quorum's queue benchmark: no-op jobs through graphile-worker on
// PostgreSQL, on this machine. One measurement per run, printed as one JSON line.
//
//   node bench.mjs --db postgres://postgres@127.0.0.1:5432/quorum_peers_gw --jobs 20000 \
//       --workers 1 --mode unbatched|batched [--concurrency 10] [--pool 12] [--batch 1000]
//
// The database must be empty (run.sh makes a fresh one per run). Then:
//
//   enqueue  N jobs of the task "noop" with an empty payload, through WorkerUtils.addJobs in
//            calls of --batch jobs each (one add_jobs() statement per call), graphile-worker's
//            bulk path. Timed on its own (enqueue_jobs_per_s), outside the processing figure.
//   process  W worker processes (worker.mjs, each a separate OS process with its own pool of
//            PostgreSQL connections) are started and load graphile-worker, then all are told
//            to go at once; each calls run() and works the queue. jobs_per_s is N over the
//            wall time from that go to the moment the jobs table is empty: every job claimed,
//            run and its completion committed (with batching, the last batch flushed).
//            Start-up inside run() (the migration check, LISTEN, the pool) is included, as it
//            is in a worker's real start; worker_start_ms says how much it was.
//
// Beside the rate, the CPU time the workers and the PostgreSQL server (every postgres process,
// exited backends included) spent per job during the process phase: on a shared machine the
// rates move with the neighbours' load, these mostly do not. Server-wide, so any other client of
// this PostgreSQL counts too.
//
// Modes (both with concurrentJobs --concurrency and maxPoolSize --pool per worker process):
//   unbatched  graphile-worker's defaults otherwise: every worker fetches its next job with one
//              query and completes it with another.
//   batched    the batching options of its performance page ("quick stats"):
//              localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0.

import { fork } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { makeWorkerUtils, Logger } from "graphile-worker";

const { values: opts } = parseArgs({
  options: {
    db: { type: "string" },
    jobs: { type: "string", default: "20000" },
    workers: { type: "string", default: "1" },
    mode: { type: "string", default: "unbatched" },
    concurrency: { type: "string", default: "10" },
    pool: { type: "string", default: "12" },
    batch: { type: "string", default: "1000" },
  },
});
const jobs = Number(opts.jobs);
const workers = Number(opts.workers);
const concurrency = Number(opts.concurrency);
const pool = Number(opts.pool);
const batch = Number(opts.batch);
if (!opts.db) throw new Error("--db is required");
if (!["unbatched", "batched"].includes(opts.mode)) throw new Error("--mode unbatched|batched");
if (!(jobs > 0 && workers > 0 && concurrency > 0 && batch > 0)) throw new Error("sizes must be 1 or more");

const version = (pkg) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url))).version;

// Warnings and errors only: at its default level graphile-worker logs a line per completed
// job, and the benchmark would measure the log sink.
const quietLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[graphile-worker ${level}] ${message}`);
});

// CPU seconds of every postgres process: user + system of the live ones, plus those of exited
// children that the postmaster has reaped (its cutime/cstime), so that backends which ended
// during the run still count.
function postgresCpuSeconds() {
  const hz = 100; // USER_HZ, 100 on Linux
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    if (comm !== "postgres") continue;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14-17 of stat (utime stime cutime cstime) are 11-14 here, counted from field 3.
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / hz;
}

const utils = await makeWorkerUtils({ connectionString: opts.db, logger: quietLogger });
await utils.migrate();
const countJobs = () =>
  utils.withPgClient(async (c) => Number((await c.query("select count(*) from graphile_worker._private_jobs")).rows[0].count));
if ((await countJobs()) !== 0) throw new Error("the jobs table is not empty: benchmark on a fresh database");
const pgVersion = await utils.withPgClient(async (c) => (await c.query("show server_version")).rows[0].server_version);

// Enqueue, timed on its own.
let t = performance.now();
for (let done = 0; done < jobs; ) {
  const size = Math.min(batch, jobs - done);
  const specs = Array.from({ length: size }, () => ({ identifier: "noop", payload: {} }));
  await utils.addJobs(specs);
  done += size;
}
const enqueueSeconds = (performance.now() - t) / 1000;
if ((await countJobs()) !== jobs) throw new Error("enqueued jobs are missing");

// Workers: forked, loaded, then started together.
const workerConfig = JSON.stringify({ db: opts.db, mode: opts.mode, concurrency, pool });
const children = [];
let succeeded = 0;
let failed = 0;
const started = [];
const cpu = [];
let allSucceeded;
const allDone = new Promise((resolve) => (allSucceeded = resolve));
for (let i = 0; i < workers; i++) {
  const child = fork(new URL("./worker.mjs", import.meta.url), [workerConfig], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ready = new Promise((resolve) => {
    child.on("message", (m) => {
      if (m.ready) resolve();
      if (m.started !== undefined) started.push(m.started);
      if (m.succeeded !== undefined) {
        succeeded += m.succeeded;
        failed += m.failed;
        if (succeeded + failed >= jobs) allSucceeded();
      }
      if (m.cpu) cpu.push(m.cpu);
    });
    child.on("exit", (code) => {
      if (code !== 0) {
        console.error(`graphile-worker process ${i} exited with ${code}`);
        process.exit(1);
      }
    });
  });
  children.push({ child, ready });
}
await Promise.all(children.map((c) => c.ready));
const exited = children.map(({ child }) => new Promise((resolve) => child.on("exit", resolve)));

const pgCpuStart = postgresCpuSeconds();
t = performance.now();
for (const { child } of children) child.send({ go: performance.timeOrigin + t });
const limit = setTimeout(() => {
  console.error(`only ${succeeded} of ${jobs} jobs succeeded in ten minutes`);
  process.exit(1);
}, 600_000);
await allDone;
if (failed) {
  console.error(`${failed} jobs failed`);
  process.exit(1);
}
// Every job has run; with batched completion the last completions may still be in flight:
// the queue counts as drained when the table is empty.
while ((await countJobs()) !== 0) await new Promise((r) => setTimeout(r, 2));
const processSeconds = (performance.now() - t) / 1000;
const pgCpu = postgresCpuSeconds() - pgCpuStart;
clearTimeout(limit);

for (const { child } of children) child.send({ stop: true });
const codes = await Promise.all(exited);
await utils.release();
if (codes.some((c) => c !== 0)) throw new Error(`worker exit codes ${codes}`);
if (failed) throw new Error(`${failed} jobs failed`);
if (succeeded !== jobs) throw new Error(`${succeeded} of ${jobs} jobs succeeded`);

const workerCpu = cpu.reduce((a, c) => a + c, 0);
const settings = { concurrentJobs: concurrency, maxPoolSize: pool };
if (opts.mode === "batched") Object.assign(settings, { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 });
console.log(
  JSON.stringify({
    bench: "queue",
    engine: "graphile-worker",
    version: version("graphile-worker"),
    database: "postgres",
    mode: opts.mode,
    workers,
    jobs,
    jobs_per_s: Math.round(jobs / processSeconds),
    enqueue_jobs_per_s: Math.round(jobs / enqueueSeconds),
    end_to_end_jobs_per_s: Math.round(jobs / (enqueueSeconds + processSeconds)),
    worker_start_ms: Math.round(Math.max(...started)),
    worker_cpu_us_per_job: Math.round((workerCpu / jobs) * 1e6),
    postgres_cpu_us_per_job: Math.round((pgCpu / jobs) * 1e6),
    enqueue_batch: batch,
    settings,
    node_version: process.versions.node,
    pg_version: version("pg"),
    postgres_version: pgVersion,
  }),
);

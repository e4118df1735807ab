// BullMQ beside Quorum's queue benchmark: no-op jobs through BullMQ on Redis, on this machine.
// One measurement per run, printed as one JSON line.
//
//   node bench.mjs --redis redis://127.0.0.1:6379/13 --jobs 20000 --workers 1 \
//       [--concurrency 10] [--remove-on-complete default|recommended] [--batch 1000]
//
// The queue lives under a key prefix of its own (quorum-peers-bullmq-<pid>), which must be
// empty, and whose keys are deleted afterwards; nothing else in the database is touched. Then:
//
//   enqueue  N jobs named "noop" with an empty payload through Queue.addBulk, in calls of
//            --batch jobs each, BullMQ's bulk path. Timed on its own (enqueue_jobs_per_s).
//   process  W worker processes (worker.mjs, each a separate OS process with its own Redis
//            connections) build their Worker (autorun: false) and wait until it is connected;
//            then all are told to go at once and call worker.run(). jobs_per_s is N over the
//            wall time from that go until every job has been reported completed by a worker's
//            "completed" event, which BullMQ emits once the job is moved to the completed set
//            (or removed) in Redis; the queue's counts are checked afterwards.
//
// Beside the rate, like bench/rq/bench.py: the CPU time the workers and the Redis server spent
// per job and the Redis commands per job during the process phase, from the server's INFO, so
// server-wide: any other client of this Redis during the run counts too.
//
// removeOnComplete: "default" is BullMQ as shipped, which keeps every completed job in the
// completed set; "recommended" is the practice its documentation ("Auto-removal of jobs")
// recommends for production, removeOnComplete { count: 1000 } and removeOnFail { count: 5000 }
// on the Worker.

import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Queue } from "bullmq";
import { Redis as IORedis } from "ioredis";

const { values: opts } = parseArgs({
  options: {
    redis: { type: "string", default: "redis://127.0.0.1:6379/13" },
    jobs: { type: "string", default: "20000" },
    workers: { type: "string", default: "1" },
    concurrency: { type: "string", default: "10" },
    "remove-on-complete": { type: "string", default: "default" },
    batch: { type: "string", default: "1000" },
  },
});
const jobs = Number(opts.jobs);
const workers = Number(opts.workers);
const concurrency = Number(opts.concurrency);
const batch = Number(opts.batch);
const removal = opts["remove-on-complete"];
if (!["default", "recommended"].includes(removal)) throw new Error("--remove-on-complete default|recommended");
if (!(jobs > 0 && workers > 0 && concurrency > 0 && batch > 0)) throw new Error("sizes must be 1 or more");

const version = (pkg) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url))).version;

const url = new URL(opts.redis);
const connection = {
  host: url.hostname,
  port: Number(url.port || 6379),
  db: Number(url.pathname.slice(1) || 0),
  maxRetriesPerRequest: null,
};
const prefix = `quorum-peers-bullmq-${process.pid}`;
const queueName = "quorum-bench";

const redis = new IORedis(connection);
async function keys() {
  const found = [];
  let cursor = "0";
  do {
    const [next, batchKeys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    found.push(...batchKeys);
  } while (cursor !== "0");
  return found;
}
async function cleanUp() {
  const found = await keys();
  for (let i = 0; i < found.length; i += 1000) await redis.unlink(...found.slice(i, i + 1000));
}
// The server's CPU seconds and commands served so far.
async function redisCounters() {
  const cpu = await redis.info("cpu");
  const stats = await redis.info("commandstats");
  const field = (name) => Number(new RegExp(`${name}:([0-9.]+)`).exec(cpu)[1]);
  let commands = 0;
  for (const m of stats.matchAll(/calls=(\d+)/g)) commands += Number(m[1]);
  return [field("used_cpu_user") + field("used_cpu_sys"), commands];
}

if ((await keys()).length) throw new Error(`keys under ${prefix}: exist already`);
const serverVersion = /redis_version:(\S+)/.exec(await redis.info("server"))[1];
let result;
try {
  const queue = new Queue(queueName, { connection, prefix });
  let t = performance.now();
  for (let done = 0; done < jobs; ) {
    const size = Math.min(batch, jobs - done);
    await queue.addBulk(Array.from({ length: size }, () => ({ name: "noop", data: {} })));
    done += size;
  }
  const enqueueSeconds = (performance.now() - t) / 1000;
  const waiting = await queue.getWaitingCount();
  if (waiting !== jobs) throw new Error(`enqueued ${jobs} jobs, ${waiting} are waiting`);

  const workerConfig = JSON.stringify({ connection, prefix, queueName, concurrency, removal });
  const children = [];
  let completed = 0;
  let failed = 0;
  const cpu = [];
  let finish;
  const allDone = new Promise((resolve) => (finish = resolve));
  for (let i = 0; i < workers; i++) {
    const child = fork(new URL("./worker.mjs", import.meta.url), [workerConfig], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const ready = new Promise((resolve) => {
      child.on("message", (m) => {
        if (m.ready) resolve();
        if (m.completed !== undefined) {
          completed += m.completed;
          failed += m.failed;
          if (completed + failed >= jobs) finish();
        }
        if (m.cpu !== undefined) cpu.push(m.cpu);
      });
    });
    const exited = new Promise((resolve) =>
      child.on("exit", (code) => {
        if (code !== 0) {
          console.error(`BullMQ worker process ${i} exited with ${code}`);
          process.exit(1);
        }
        resolve();
      }),
    );
    children.push({ child, ready, exited });
  }
  await Promise.all(children.map((c) => c.ready));

  const [redisCpuStart, commandsStart] = await redisCounters();
  t = performance.now();
  for (const { child } of children) child.send({ go: true });
  const limit = setTimeout(() => {
    console.error(`only ${completed} of ${jobs} jobs completed in ten minutes`);
    process.exit(1);
  }, 600_000);
  await allDone;
  const processSeconds = (performance.now() - t) / 1000;
  const [redisCpuEnd, commandsEnd] = await redisCounters();
  clearTimeout(limit);

  for (const { child } of children) child.send({ stop: true });
  await Promise.all(children.map((c) => c.exited));
  // Verified after the clock stopped: a figure is only worth printing if every job ran.
  const counts = await queue.getJobCounts("wait", "active", "delayed", "completed", "failed");
  await queue.close();
  const kept = removal === "default" ? jobs : Math.min(jobs, 1000);
  if (failed || counts.failed) throw new Error(`${failed || counts.failed} jobs failed`);
  if (completed !== jobs) throw new Error(`${completed} of ${jobs} jobs completed`);
  if (counts.wait || counts.active || counts.delayed) throw new Error(`jobs left: ${JSON.stringify(counts)}`);
  if (counts.completed !== kept) throw new Error(`${counts.completed} completed jobs kept, expected ${kept}`);

  const workerCpu = cpu.reduce((a, c) => a + c, 0);
  result = {
    bench: "queue",
    engine: "bullmq",
    version: version("bullmq"),
    database: "redis",
    mode: `removeOnComplete-${removal}`,
    workers,
    jobs,
    jobs_per_s: Math.round(jobs / processSeconds),
    enqueue_jobs_per_s: Math.round(jobs / enqueueSeconds),
    end_to_end_jobs_per_s: Math.round(jobs / (enqueueSeconds + processSeconds)),
    worker_cpu_us_per_job: Math.round((workerCpu / jobs) * 1e6),
    redis_cpu_us_per_job: Math.round(((redisCpuEnd - redisCpuStart) / jobs) * 1e6),
    redis_commands_per_job: Math.round(((commandsEnd - commandsStart) / jobs) * 10) / 10,
    enqueue_batch: batch,
    settings: {
      concurrency,
      removeOnComplete: removal === "default" ? "default (keep all)" : { count: 1000 },
      removeOnFail: removal === "default" ? "default (keep all)" : { count: 5000 },
    },
    node_version: process.versions.node,
    ioredis_version: version("ioredis"),
    redis_server_version: serverVersion,
  };
} finally {
  await cleanUp();
  await redis.quit();
}
console.log(JSON.stringify(result));

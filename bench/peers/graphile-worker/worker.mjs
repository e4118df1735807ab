// One graphile-worker process for bench.mjs: loads graphile-worker and waits; on "go" it runs
// the worker (run() with a no-op task) and reports to the parent how many jobs succeeded and
// failed, every few milliseconds while it works; on "stop" it stops, reports the CPU time it
// spent since "go", and exits. Its argument is the JSON settings from bench.mjs.

import { EventEmitter } from "node:events";
import { run, Logger } from "graphile-worker";

const { db, mode, concurrency, pool } = JSON.parse(process.argv[2]);

const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[graphile-worker ${level}] ${message}`);
});

const worker = {
  connectionString: db,
  concurrentJobs: concurrency,
  maxPoolSize: pool,
  logger,
};
if (mode === "batched") {
  worker.localQueue = { size: 500 };
  worker.completeJobBatchDelay = 0;
  worker.failJobBatchDelay = 0;
}

// Counts go to the parent coalesced, at most one message per 5 ms, rather than one per job.
const events = new EventEmitter();
let succeeded = 0;
let failed = 0;
let timer = null;
const flush = () => {
  timer = null;
  process.send({ succeeded, failed });
  succeeded = 0;
  failed = 0;
};
const counted = () => {
  if (!timer) timer = setTimeout(flush, 5);
};
events.on("job:success", () => {
  succeeded++;
  counted();
});
events.on("job:error", () => {
  failed++;
  counted();
});

let runner;
let cpuStart;
process.on("message", async (m) => {
  if (m.go !== undefined) {
    cpuStart = process.cpuUsage();
    runner = await run({
      preset: { worker: { ...worker, events } },
      taskList: { noop: async () => {} },
      noHandleSignals: true,
    });
    // Milliseconds from the parent's go (an epoch time in ms) to this worker's run() resolving.
    process.send({ started: performance.timeOrigin + performance.now() - m.go });
  }
  if (m.stop) {
    await runner.stop();
    if (timer) {
      clearTimeout(timer);
      flush();
    }
    const used = process.cpuUsage(cpuStart);
    process.send({ cpu: (used.user + used.system) / 1e6 });
    stopping = true;
    process.disconnect();
  }
});
// Without the parent (it exited or died), nothing is measured any more: stop at once.
let stopping = false;
process.on("disconnect", () => process.exit(stopping ? 0 : 1));
process.send({ ready: true });

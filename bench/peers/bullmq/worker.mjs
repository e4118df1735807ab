// One BullMQ worker process for bench.mjs: builds a Worker with a no-op processor (not started),
// says it is ready once connected; on "go" it runs and reports to the parent how many jobs
// completed and failed, every few milliseconds while it works; on "stop" it closes, reports
// the CPU time it spent since "go", and exits. Its argument is the JSON settings from bench.mjs.

import { Worker } from "bullmq";

const { connection, prefix, queueName, concurrency, removal } = JSON.parse(process.argv[2]);
const options = { connection, prefix, concurrency, autorun: false };
if (removal === "recommended") {
  options.removeOnComplete = { count: 1000 };
  options.removeOnFail = { count: 5000 };
}
const worker = new Worker(queueName, async () => {}, options);
worker.on("error", (err) => console.error(`[bullmq worker] ${err.message}`));

// Counts go to the parent coalesced, at most one message per 5 ms, rather than one per job.
let completed = 0;
let failed = 0;
let timer = null;
const flush = () => {
  timer = null;
  process.send({ completed, failed });
  completed = 0;
  failed = 0;
};
const counted = () => {
  if (!timer) timer = setTimeout(flush, 5);
};
worker.on("completed", () => {
  completed++;
  counted();
});
worker.on("failed", () => {
  failed++;
  counted();
});

let cpuStart;
let stopping = false;
process.on("message", async (m) => {
  if (m.go) {
    cpuStart = process.cpuUsage();
    worker.run().catch((err) => {
      console.error(`[bullmq worker] ${err.stack}`);
      process.exit(1);
    });
  }
  if (m.stop) {
    await worker.close();
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
process.on("disconnect", () => process.exit(stopping ? 0 : 1));
await worker.waitUntilReady();
process.send({ ready: true });

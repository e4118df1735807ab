#!/usr/bin/env python3
"""Baseline for Quorum's job queue: Python RQ on the same machine, in the same run.

    python bench.py --redis redis://127.0.0.1:6379/15 --jobs 20000 --workers 1 [--workflow]

For each kind of job (the no-op job, and with --workflow the 8-step no-op workflow job) it
measures, on an emptied Redis database:

  enqueue_one  N jobs with Queue.enqueue, one call per job, the way an application enqueues
               as requests come in. Those jobs are then thrown away.
  enqueue      N jobs with Queue.enqueue_many in pipelined batches, RQ's bulk path.
  process      W SimpleWorker processes, started together, drain those N jobs in burst mode:
               wall time from the start signal until every worker has exited, i.e. the queue
               is empty and every job has been claimed, run and acknowledged.
  end_to_end   N / (enqueue time + process time), enqueueing and processing one after the
               other; end_to_end_one does the same with the one-at-a-time enqueue time.

and prints one JSON line. Rates are jobs per second of wall time. Beside them, for the
process phase, the CPU time the workers and the Redis server spent per job and the Redis
commands per job: on a shared, busy machine the rates move with the neighbours' load, while
these mostly do not, and they show where a job's time goes.
"""

import argparse
import json
import multiprocessing
import platform
import sys
import time

import redis
import rq
from rq import Queue, SimpleWorker
from rq.defaults import DEFAULT_RESULT_TTL as RQ_DEFAULT_RESULT_TTL
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

import noop

QUEUE_NAME = "quorum-bench"

# RQ keeps a finished job (and its result) for result_ttl seconds, 500 by default. We measure
# that default: it is what an RQ deployment runs unless someone tuned it, and Quorum keeps its
# finished jobs too. --result-ttl 0 (discard at once) is there to test the usual advice that it
# speeds RQ up: in RQ 3.0 it does not, deleting a finished job takes more Redis commands per
# job (63) than keeping it (57).


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--redis", default="redis://127.0.0.1:6379/15",
                   help="Redis URL; its database is flushed, so it must not be db 0 (default db 15)")
    p.add_argument("--jobs", type=int, default=20000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--workflow", action="store_true",
                   help="also measure the no-op workflow job (noop_workflow(--steps))")
    p.add_argument("--steps", type=int, default=8, help="steps of the workflow job (default 8)")
    p.add_argument("--batch", type=int, default=1000,
                   help="jobs per enqueue_many pipeline (default 1000)")
    p.add_argument("--result-ttl", type=int, default=None,
                   help=f"result_ttl of the jobs; default: RQ's own ({RQ_DEFAULT_RESULT_TTL} s)")
    return p.parse_args()


def connect(url):
    conn = redis.Redis.from_url(url)
    db = conn.connection_pool.connection_kwargs.get("db", 0)
    # The benchmark flushes its database before every phase. Database 0 is where everything
    # that did not choose a database lives, so refuse it rather than wipe someone's data.
    if int(db) == 0:
        sys.exit(f"refusing to flush Redis database 0 (from {url}): name another, e.g. redis://127.0.0.1:6379/15")
    conn.ping()
    return conn


def enqueue_options(result_ttl):
    # Only pass result_ttl when asked, so that the default run is RQ exactly as shipped.
    return {} if result_ttl is None else {"result_ttl": result_ttl}


def measure_enqueue_one(conn, func, args, n, result_ttl):
    conn.flushdb()
    q = Queue(QUEUE_NAME, connection=conn)
    opts = enqueue_options(result_ttl)
    start = time.perf_counter()
    for _ in range(n):
        q.enqueue(func, *args, **opts)
    elapsed = time.perf_counter() - start
    assert q.count == n, f"enqueued {n} jobs one at a time, queue holds {q.count}"
    # These jobs only measured the enqueue path; the workers drain the bulk-enqueued ones.
    conn.flushdb()
    return elapsed


def measure_enqueue_many(conn, func, args, n, batch, result_ttl):
    conn.flushdb()
    q = Queue(QUEUE_NAME, connection=conn)
    opts = enqueue_options(result_ttl)
    start = time.perf_counter()
    done = 0
    while done < n:
        # Bounded batches rather than one pipeline of n: what a bulk loader does to keep the
        # client's buffer and Redis's reply buffer small, and the first jobs visible early.
        size = min(batch, n - done)
        q.enqueue_many([Queue.prepare_data(func, args, **opts) for _ in range(size)])
        done += size
    elapsed = time.perf_counter() - start
    assert q.count == n, f"enqueued {n} jobs in bulk, queue holds {q.count}"
    return elapsed


def worker_main(url, barrier, cpu_out):
    """One worker process. Everything that is set-up (imports, connection, worker object)
    happens before the barrier, so that the timed part is the work loop alone."""
    conn = redis.Redis.from_url(url)
    worker = SimpleWorker([Queue(QUEUE_NAME, connection=conn)], connection=conn)
    barrier.wait()
    cpu_start = time.process_time()
    # SimpleWorker runs each job in this process instead of forking a work horse per job: the
    # fork isolates jobs from each other, it is not queueing, and it would dwarf a no-op job.
    # WARNING rather than RQ's default INFO, which logs every job: otherwise we would be
    # measuring the speed of the log sink.
    worker.work(burst=True, logging_level="WARNING")
    cpu_out.put(time.process_time() - cpu_start)


def redis_counters(conn):
    """The server's CPU seconds and commands served so far. Server-wide: any other client of
    this Redis during the run counts too, so run the benchmark on a Redis of its own."""
    cpu = conn.info("cpu")
    commands = sum(c["calls"] for c in conn.info("commandstats").values())
    return cpu["used_cpu_user"] + cpu["used_cpu_sys"], commands


def measure_process(url, conn, n, workers, result_ttl):
    # spawn, not fork: each worker opens its own Redis connection and inherits no socket or
    # state from the enqueueing process, as separately started `rq worker`s would.
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers + 1)
    cpu_out = ctx.SimpleQueue()
    procs = [ctx.Process(target=worker_main, args=(url, barrier, cpu_out)) for _ in range(workers)]
    for p in procs:
        p.start()
    redis_cpu_start, commands_start = redis_counters(conn)
    barrier.wait()
    start = time.perf_counter()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    redis_cpu_end, commands_end = redis_counters(conn)

    # Verified after the clock stopped: a figure is only worth printing if every job ran.
    bad = [p.exitcode for p in procs if p.exitcode != 0]
    assert not bad, f"worker exit codes {bad}"
    q = Queue(QUEUE_NAME, connection=conn)
    assert q.count == 0, f"{q.count} jobs left in the queue"
    started = StartedJobRegistry(queue=q).count
    assert started == 0, f"{started} jobs still marked started"
    failed = FailedJobRegistry(queue=q)
    if failed.count:
        job = q.fetch_job(failed.get_job_ids()[0])
        sys.exit(f"{failed.count} jobs failed, e.g.:\n{job.latest_result().exc_string if job else '?'}")
    if result_ttl == 0:
        # With result_ttl=0 RQ deletes a job as it finishes, so no registry counts it; the
        # proof that all ran is that none is left (none queued, started or failed, above).
        left = sum(1 for _ in conn.scan_iter(match="rq:job:*", count=1000))
        assert left == 0, f"{left} job hashes left with result_ttl=0"
    else:
        finished = FinishedJobRegistry(queue=q).count
        assert finished == n, f"{finished} of {n} jobs finished"
    worker_cpu = sum(cpu_out.get() for _ in procs)
    return elapsed, worker_cpu, redis_cpu_end - redis_cpu_start, commands_end - commands_start


def measure_kind(url, conn, args, func, func_args, prefix):
    n = args.jobs
    t_one = measure_enqueue_one(conn, func, func_args, n, args.result_ttl)
    t_many = measure_enqueue_many(conn, func, func_args, n, args.batch, args.result_ttl)
    t_proc, worker_cpu, redis_cpu, commands = measure_process(url, conn, n, args.workers, args.result_ttl)
    conn.flushdb()
    return {
        f"{prefix}enqueue_jobs_per_s": round(n / t_many),
        f"{prefix}enqueue_one_jobs_per_s": round(n / t_one),
        f"{prefix}process_jobs_per_s": round(n / t_proc),
        f"{prefix}end_to_end_jobs_per_s": round(n / (t_many + t_proc)),
        f"{prefix}end_to_end_one_jobs_per_s": round(n / (t_one + t_proc)),
        f"{prefix}worker_cpu_us_per_job": round(worker_cpu / n * 1e6),
        f"{prefix}redis_cpu_us_per_job": round(redis_cpu / n * 1e6),
        f"{prefix}redis_commands_per_job": round(commands / n, 1),
    }


def main():
    args = parse_args()
    conn = connect(args.redis)
    result = {
        "system": "rq",
        "rq_version": rq.__version__,
        "redis_py_version": redis.__version__,
        "redis_server_version": conn.info("server")["redis_version"],
        "python_version": platform.python_version(),
        "worker_class": "SimpleWorker",
        "jobs": args.jobs,
        "workers": args.workers,
        "enqueue_batch": args.batch,
        "result_ttl": RQ_DEFAULT_RESULT_TTL if args.result_ttl is None else args.result_ttl,
    }
    result.update(measure_kind(args.redis, conn, args, noop.noop, (), ""))
    if args.workflow:
        result["workflow_steps"] = args.steps
        result.update(measure_kind(args.redis, conn, args, noop.noop_workflow, (args.steps,), "workflow_"))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Celery beside Quorum's queue benchmark: no-op tasks and 8-step chains on a Redis broker.

    python bench.py --redis redis://127.0.0.1:6379/13 --jobs 20000 --workers 1
    python bench.py --redis redis://127.0.0.1:6379/13 --workflows 2000 --workers 1 --steps 8

One measurement per run, printed as one JSON line. With --jobs (bench "queue"):

  enqueue  N noop tasks with apply_async, one publish each through one producer taken from the
           pool (Celery has no bulk publish; this is its cheapest path). Timed on its own.
  process  W worker processes, each a Celery worker (`celery worker`, run in a spawned
           process), boot completely: connected, queues declared, consumer registered. They
           hold at the worker_ready signal, which Celery sends before its event loop first
           polls the broker; then all are released at once. jobs_per_s is N over the wall time
           from that release until every task has succeeded, as counted by the task_success
           signal in the workers (a counter in shared memory per worker, read by this process,
           so that counting costs the broker nothing).

With --workflows (bench "workflows"): N chains of --steps noop tasks, chain(noop.si(), ...),
published like the tasks above (one message per chain: its remaining steps travel inside it,
and the worker that finishes a step publishes the next). workflows_per_s is N over the wall time
from the release until N x steps tasks have succeeded, i.e. every chain's last step.

Beside the rates, like bench/rq/bench.py: the CPU time the workers and the Redis server spent
per task and the Redis commands per task during the process phase, from the server's INFO, so
server-wide: any other client of this Redis counts too.

Celery's settings are its defaults (prefetch multiplier 4, acks before execution, mingle,
gossip and heartbeats on, no task events, no result backend) except: --pool solo (default) runs
each task in the worker process itself, one at a time, like RQ's SimpleWorker in bench/rq; the
default prefork pool would put a child process and a pipe hop between the worker and each task
and would run, by default, as many children as cores in every worker (--pool prefork
--concurrency C measures that instead). Workers log at WARNING, not INFO, which logs every task.

The database (db 13 by default, never 0) is used as Celery leaves it: its keys are not prefixed
(kombu's global_keyprefix rewrites every command, which is not Celery as shipped), so the run
refuses to start when Celery's keys are there already, and deletes exactly those keys after.
"""

import argparse
import json
import multiprocessing
import os
import platform
import signal
import sys
import time

import celery
import kombu
import redis

QUEUE = "quorum-peers-celery"
# What kombu's Redis transport and Celery's remote control leave in the database.
KEY_PATTERNS = (QUEUE + "*", "unacked", "unacked_index", "unacked_mutex", "_kombu.binding*")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--redis", default="redis://127.0.0.1:6379/13",
                   help="Redis URL of the broker; not database 0 (default db 13)")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--jobs", type=int, help="no-op tasks to run")
    kind.add_argument("--workflows", type=int, help="chains of --steps no-op tasks to run")
    p.add_argument("--steps", type=int, default=8, help="tasks per chain (default 8)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--pool", default="solo", choices=["solo", "prefork"])
    p.add_argument("--concurrency", type=int, default=1,
                   help="pool size of each worker with --pool prefork (default 1)")
    return p.parse_args()


def celery_keys(conn):
    found = set()
    for pattern in KEY_PATTERNS:
        found.update(conn.scan_iter(match=pattern, count=1000))
    return sorted(found)


def redis_counters(conn):
    """The server's CPU seconds and commands served so far."""
    cpu = conn.info("cpu")
    commands = sum(c["calls"] for c in conn.info("commandstats").values())
    return cpu["used_cpu_user"] + cpu["used_cpu_sys"], commands


def worker_main(index, pool, concurrency, ready, go, succeeded, failed, cpu):
    """One Celery worker. Its stdout goes to stderr: nothing it prints may mix with the JSON
    line on this script's stdout."""
    os.dup2(2, 1)
    import warnings

    from celery import signals
    from celery.exceptions import SecurityWarning

    # Celery warns when its worker runs as root, as everything does on this machine.
    warnings.simplefilter("ignore", SecurityWarning)

    from noop_tasks import app

    started = {}

    @signals.worker_ready.connect
    def hold(**_):
        ready.set()
        go.wait()
        started["cpu"] = time.process_time()

    @signals.task_success.connect
    def count_success(**_):
        succeeded.value += 1

    @signals.task_failure.connect
    def count_failure(**_):
        failed.value += 1

    @signals.worker_shutdown.connect
    def report_cpu(**_):
        cpu.value = time.process_time() - started.get("cpu", time.process_time())

    # --quiet: no start-up banner. --concurrency 1 with the solo pool, which runs one task at a
    # time whatever it says: otherwise it takes the number of cores, and prefetches for that many.
    argv = ["--quiet", "worker", f"--pool={pool}", f"--concurrency={concurrency if pool == 'prefork' else 1}",
            "--loglevel=WARNING", f"--hostname=quorum-peers-{index}@%h"]
    app.worker_main(argv)


def main():
    args = parse_args()
    os.environ["PEER_CELERY_BROKER"] = args.redis
    conn = redis.Redis.from_url(args.redis)
    if int(conn.connection_pool.connection_kwargs.get("db", 0)) == 0:
        sys.exit(f"refusing Redis database 0 (from {args.redis}): name another, e.g. redis://127.0.0.1:6379/13")
    left = celery_keys(conn)
    if left:
        sys.exit(f"Celery's keys are in {args.redis} already ({left[:5]}): delete them or use another database")

    from celery import chain

    from noop_tasks import app, noop

    workflow = args.workflows is not None
    n = args.workflows if workflow else args.jobs
    tasks = n * args.steps if workflow else n
    if n <= 0 or args.workers <= 0 or args.steps <= 0:
        sys.exit("sizes must be 1 or more")
    workers = []
    try:
        start = time.perf_counter()
        with app.producer_or_acquire() as producer:
            if workflow:
                for _ in range(n):
                    chain(*(noop.si() for _ in range(args.steps))).apply_async(producer=producer)
            else:
                for _ in range(n):
                    noop.apply_async(producer=producer)
        enqueued = time.perf_counter() - start
        queued = conn.llen(QUEUE)
        assert queued == n, f"published {n} messages, the queue holds {queued}"

        ctx = multiprocessing.get_context("spawn")
        go = ctx.Event()
        for i in range(args.workers):
            ready, succeeded, failed, cpu = ctx.Event(), ctx.RawValue("q", 0), ctx.RawValue("q", 0), ctx.RawValue("d", 0.0)
            proc = ctx.Process(target=worker_main,
                               args=(i, args.pool, args.concurrency, ready, go, succeeded, failed, cpu))
            proc.start()
            workers.append((proc, ready, succeeded, failed, cpu))
        for proc, ready, *_ in workers:
            while not ready.wait(0.1):
                if not proc.is_alive():
                    sys.exit(f"a Celery worker exited with {proc.exitcode} before it was ready")

        redis_cpu_start, commands_start = redis_counters(conn)
        start = time.perf_counter()
        go.set()
        deadline = start + 600
        while True:
            done = sum(w[2].value for w in workers)
            bad = sum(w[3].value for w in workers)
            if done + bad >= tasks:
                break
            if time.perf_counter() > deadline:
                sys.exit(f"only {done} of {tasks} tasks succeeded in ten minutes")
            if not all(w[0].is_alive() for w in workers):
                sys.exit("a Celery worker exited while working")
            time.sleep(0.002)
        processed = time.perf_counter() - start
        redis_cpu_end, commands_end = redis_counters(conn)

        for proc, *_ in workers:
            os.kill(proc.pid, signal.SIGTERM)  # Celery's warm shutdown
        for proc, *_ in workers:
            proc.join(60)
        codes = [proc.exitcode for proc, *_ in workers]
        # Verified after the clock stopped: a figure is only worth printing if every task ran.
        assert bad == 0, f"{bad} tasks failed"
        assert done == tasks, f"{done} of {tasks} tasks succeeded"
        assert codes == [0] * len(codes), f"worker exit codes {codes}"
        assert conn.llen(QUEUE) == 0, f"{conn.llen(QUEUE)} messages left in the queue"
        assert conn.hlen("unacked") == 0, f"{conn.hlen('unacked')} messages left unacknowledged"
        worker_cpu = sum(w[4].value for w in workers)
    finally:
        # After a failure, workers may still be running: stop them before deleting their keys.
        for proc, *_ in workers:
            if proc.is_alive():
                proc.terminate()
                proc.join(10)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
        for key in celery_keys(conn):
            conn.delete(key)

    rate = "workflows" if workflow else "jobs"
    result = {
        "bench": "workflows" if workflow else "queue",
        "engine": "celery",
        "version": celery.__version__,
        "database": "redis",
        "mode": "chain" if workflow else "tasks",
        "workers": args.workers,
        rate: n,
    }
    if workflow:
        result["steps"] = args.steps
    result.update({
        f"{rate}_per_s": round(n / processed),
        f"enqueue_{rate}_per_s": round(n / enqueued),
        f"end_to_end_{rate}_per_s": round(n / (enqueued + processed)),
        "tasks_per_s": round(tasks / processed),
        "worker_cpu_us_per_task": round(worker_cpu / tasks * 1e6) if args.pool == "solo" else None,
        "redis_cpu_us_per_task": round((redis_cpu_end - redis_cpu_start) / tasks * 1e6),
        "redis_commands_per_task": round((commands_end - commands_start) / tasks, 1),
        "settings": {
            "pool": args.pool,
            "concurrency": 1 if args.pool == "solo" else args.concurrency,
            "worker_prefetch_multiplier": app.conf.worker_prefetch_multiplier,
            "prefetch_per_worker": app.conf.worker_prefetch_multiplier * (1 if args.pool == "solo" else args.concurrency),
            "task_acks_late": app.conf.task_acks_late,
            "result_backend": app.conf.result_backend,
        },
        "kombu_version": kombu.__version__,
        "redis_py_version": redis.__version__,
        "redis_server_version": conn.info("server")["redis_version"],
        "python_version": platform.python_version(),
    })
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

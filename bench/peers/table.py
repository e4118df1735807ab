#!/usr/bin/env python3
"""The ratio table of one bench/peers sitting: Quorum's figure over each peer's, for the same work.

    bench/peers/table.py RESULTS.jsonl [--write BENCHMARKS.md]

RESULTS.jsonl holds the JSON lines of one `bench/peers/run.sh` (every peer, and Quorum's side,
bench/peers/quorum/run.sh). The table goes to standard output, or with --write replaces what
stands between the markers <!-- peers:begin --> and <!-- peers:end --> of that file (appended,
with its markers, when they are not there yet). A figure a row needs and the sitting lacks
fails the whole table: a table of ratios is from one sitting or it is not written.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

BEGIN, END = "<!-- peers:begin -->", "<!-- peers:end -->"


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def pick(lines, **want):
    """The one line whose fields hold `want`, else an error naming it."""
    found = [
        line
        for line in lines
        if all(line.get(key) == value for key, value in want.items())
    ]
    if len(found) != 1:
        raise SystemExit(f"{len(found)} lines match {want}; the table needs exactly one")
    return found[0]


def rate(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def hardware():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores of an {model}, {memory:.0f} GiB, Linux {platform.release()}"


def quorum_version():
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=os.path.dirname(os.path.abspath(__file__)),
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def table(lines):
    q = {"engine": "quorum"}
    rows = []

    def row(work, quorum_what, quorum_value, peer_what, peer_value, target=None):
        ratio = quorum_value / peer_value
        verdict = ""
        if target is not None:
            verdict = "met" if ratio >= target else f"**missed** ({ratio / target:.0%} of it)"
        rows.append(
            f"| {work} | {quorum_what}: **{rate(quorum_value)}** | {peer_what}: {rate(peer_value)} "
            f"| **{ratio:.2f}×** | {'≥ ' + format(target, 'g') + '×, ' + verdict if target else ''} |"
        )

    for processes, workers in ((1, 10), (2, 20)):
        gw = pick(lines, engine="graphile-worker", mode="unbatched", workers=processes)
        mine = pick(lines, **q, bench="queue", queue="db-postgres", batch=1, workers=workers)
        row(
            "PostgreSQL queue, one job per claim",
            f"{workers} workers, jobs/s",
            mine["process_jobs_per_s"],
            f"graphile-worker, {processes} process{'es' if processes > 1 else ''} × 10",
            gw["jobs_per_s"],
            1,
        )
    for processes in (1, 2):
        gw = pick(lines, engine="graphile-worker", mode="batched", workers=processes)
        mine = pick(lines, **q, bench="queue", queue="db-postgres", batch=500, workers=processes)
        row(
            "PostgreSQL queue, batched",
            f"{processes} worker{'s' if processes > 1 else ''}, claims of 500, jobs/s",
            mine["process_jobs_per_s"],
            f"graphile-worker, {processes} process{'es' if processes > 1 else ''}, localQueue 500",
            gw["jobs_per_s"],
            1,
        )
    for processes, workers in ((1, 10), (2, 20)):
        bull = pick(lines, engine="bullmq", mode="removeOnComplete-default", workers=processes)
        mine = pick(lines, **q, bench="queue", queue="redis", batch=1, workers=workers)
        row(
            "Redis queue, one job per claim",
            f"{workers} workers, jobs/s",
            mine["process_jobs_per_s"],
            f"BullMQ, {processes} process{'es' if processes > 1 else ''} × 10",
            bull["jobs_per_s"],
            2,
        )
    for processes, workers in ((1, 10), (2, 20)):
        celery = pick(lines, engine="celery", mode="tasks", workers=processes)
        mine = pick(lines, **q, bench="queue", queue="redis", batch=1, workers=workers)
        row(
            "Redis queue, no-op tasks",
            f"{workers} workers, jobs/s",
            mine["process_jobs_per_s"],
            f"Celery, {processes} solo process{'es' if processes > 1 else ''}",
            celery["jobs_per_s"],
        )
    celery = max(
        (pick(lines, engine="celery", mode="chain", workers=n) for n in (1, 2)),
        key=lambda line: line["workflows_per_s"],
    )
    for database, queue, what in (
        ("sqlite", "db-sqlite", "SQLite"),
        ("postgres", "db-postgres", "PostgreSQL"),
        ("postgres", "redis", "PostgreSQL + Redis queue"),
    ):
        mine = pick(lines, **q, bench="workflows", database=database, queue=queue)
        row(
            "8-step workflows",
            f"{what}, workflows/s",
            mine["workflows_per_s"],
            f"Celery chains of 8, best of 1 and 2 processes ({celery['workers']})",
            celery["workflows_per_s"],
            5,
        )
    http = {}
    for database, what in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        n8n = pick(lines, engine="n8n", bench="webhook_workflow", database=database)
        mine = pick(lines, **q, bench="webhook_workflow", database=database)
        http[database] = (mine, n8n)
        row(
            "8-step workflows over HTTP, 16 connections",
            f"{what}, complete workflows/s",
            mine["workflows_per_s"],
            f"n8n on {what}, executions/s",
            n8n["executions_per_s"],
            10,
        )

    mine, n8n = http["sqlite"]
    memory = [
        "| | Quorum (SQLite) | n8n (SQLite) | Quorum (PostgreSQL) | n8n (PostgreSQL) |",
        "|---|---|---|---|---|",
    ]

    def both(field, unit=""):
        cells = []
        for database in ("sqlite", "postgres"):
            mine, n8n = http[database]
            cells += [f"{round(field(mine), 1):,}{unit}", f"{round(field(n8n), 1):,}{unit}"]
        return " | ".join(cells)

    memory.append(f"| exec to healthy | {both(lambda r: r['time_to_healthy_ms'], ' ms')} |")
    memory.append(f"| exec to ready | {both(lambda r: r['time_to_ready_ms'], ' ms')} |")
    memory.append(
        "| exec to ready, schema migrated already | "
        + both(lambda r: r.get("time_to_ready_restarted_ms", r["time_to_ready_ms"]), " ms")
        + " |"
    )
    memory.append(f"| RSS when healthy | {both(lambda r: r['rss_mib']['healthy'], ' MiB')} |")
    memory.append(f"| RSS idle | {both(lambda r: r['rss_mib']['idle'], ' MiB')} |")
    memory.append(f"| RSS loaded | {both(lambda r: r['rss_mib']['loaded'], ' MiB')} |")
    memory.append(f"| RSS peak | {both(lambda r: r['rss_mib']['peak'], ' MiB')} |")
    memory.append(
        f"| CPU per workflow | {both(lambda r: r.get('quorum_cpu_ms_per_workflow', r.get('n8n_cpu_ms_per_execution')), ' ms')} |"
    )
    memory.append(f"| p99 of the HTTP answer | {both(lambda r: r['latency_ms']['p99'], ' ms')} |")
    targets = []
    for database, what in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        mine, n8n = http[database]
        share = mine["rss_mib"]["idle"] / n8n["rss_mib"]["idle"]
        restarted = mine.get("time_to_ready_restarted_ms")
        ready = mine["time_to_ready_ms"] if restarted is None else restarted
        targets.append(
            f"idle RSS on {what} {share:.1%} of n8n's (target ≤ 25 %: {'met' if share <= 0.25 else '**missed**'}), "
            f"ready in {ready} ms with its schema migrated, as n8n's figure is "
            f"(target < 200 ms: {'met' if ready < 200 else '**missed**'}), "
            f"{mine['time_to_ready_ms']} ms on a first start that migrates a fresh database"
        )

    versions = {}
    for line in lines:
        if line.get("engine") not in (None, "quorum"):
            versions[line["engine"]] = line.get("version")
    node = next((line["node_version"] for line in lines if "node_version" in line), "?")
    python = next((line["python_version"] for line in lines if "python_version" in line), "?")
    postgres = next((line["postgres_version"] for line in lines if "postgres_version" in line), "?")
    redis = next((line["redis_server_version"] for line in lines if "redis_server_version" in line), "?")
    out = [
        f"Sitting of {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, Quorum {quorum_version()} (release), "
        f"on {hardware()}; " + ", ".join(f"{name} {v}" for name, v in sorted(versions.items()))
        + f"; Node.js {node}, Python {python}, PostgreSQL {postgres}, Redis {redis}.",
        "",
        "| work | Quorum | peer | Quorum ÷ peer | target |",
        "|---|---|---|---|---|",
        *rows,
        "",
        *memory,
        "",
        "Memory and start-up: " + "; ".join(targets) + ".",
    ]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--write", metavar="BENCHMARKS.md")
    args = parser.parse_args()
    text = table(load(args.results))
    if not args.write:
        sys.stdout.write(text)
        return
    with open(args.write, encoding="utf-8") as f:
        doc = f.read()
    block = f"{BEGIN}\n{text}{END}"
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + block + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    with open(args.write, "w", encoding="utf-8") as f:
        f.write(doc)


if __name__ == "__main__":
    main()

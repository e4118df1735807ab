#!/usr/bin/env bash
# Queue and execution throughput on every backend, beside RQ, in one run on one machine.
#
#   bench/queue.sh                 # release build, then every measurement
#   JOBS=50000 bench/queue.sh      # more jobs per queue run
#   QUORUM_BIN=/path/quorum bench/queue.sh   # a binary built already
#
# Needs PostgreSQL (QUORUM_BENCH_PG, default postgres://postgres@127.0.0.1:5432) and Redis
# (QUORUM_BENCH_REDIS, default redis://127.0.0.1:6379). Each run gets a fresh database, a fresh
# SQLite file and its own Redis key prefix, all removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${JOBS:-20000}
WORKFLOWS=${WORKFLOWS:-2000}
PG=${QUORUM_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${QUORUM_BENCH_REDIS:-redis://127.0.0.1:6379}
BIN=${QUORUM_BIN:-target/release/quorum}

[ -n "${QUORUM_BIN:-}" ] || cargo build --release --bin quorum >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS quorum_bench_queue" >/dev/null 2>&1 || true' EXIT

fresh_pg() {
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS quorum_bench_queue" >/dev/null
  psql "$PG/postgres" -qc "CREATE DATABASE quorum_bench_queue" >/dev/null
  echo "$PG/quorum_bench_queue"
}

run() { # database-url queue args…
  local db=$1 queue=$2; shift 2
  rm -rf "$WORK/data"
  QUORUM_DATA_DIR="$WORK/data" QUORUM_DATABASE_URL="$db" QUORUM_QUEUE="$queue" RUST_LOG=warn "$BIN" bench "$@"
}

sqlite="sqlite://$WORK/data/quorum.db"
for workers in 1 2; do
  for batch in 100 1; do
    run "$sqlite" db queue --jobs "$JOBS" --workers "$workers" --batch "$batch"
    run "$(fresh_pg)" db queue --jobs "$JOBS" --workers "$workers" --batch "$batch"
    prefix="quorum_bench_$$_${workers}_${batch}"
    run "$sqlite" "$REDIS?prefix=$prefix" queue --jobs "$JOBS" --workers "$workers" --batch "$batch"
    redis-cli -u "$REDIS" --scan --pattern "$prefix:*" | xargs -r redis-cli -u "$REDIS" del >/dev/null
  done
done
for workers in 2 4; do
  run "$sqlite" db workflows --workflows "$WORKFLOWS" --workers "$workers"
  run "$(fresh_pg)" db workflows --workflows "$WORKFLOWS" --workers "$workers"
  prefix="quorum_bench_$$_wf_${workers}"
  run "$(fresh_pg)" "$REDIS?prefix=$prefix" workflows --workflows "$WORKFLOWS" --workers "$workers"
  redis-cli -u "$REDIS" --scan --pattern "$prefix:*" | xargs -r redis-cli -u "$REDIS" del >/dev/null
done
RQ_JOBS=$JOBS bench/rq/run.sh

#!/usr/bin/env bash
# Two builds of quorum side by side in one session, for a change that must not cost speed:
# the read path at WORKFLOWS workflows, queue throughput and website workflows/s, each measured
# old, new, old, new, so that the spread between two runs of one binary stands beside the
# difference between the binaries.
#
#   bench/compare.sh OLD_BIN NEW_BIN                 # SQLite and PostgreSQL, 1,000,000 workflows
#   WORKFLOWS=100000 BACKENDS=sqlite bench/compare.sh OLD_BIN NEW_BIN
#
# Both binaries read the same data: it is loaded once, with the new binary's demo-data. Needs
# wrk, PostgreSQL (database quorum_bench, recreated) and Redis, like the scripts it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(realpath "${1:?old binary}")
new=$(realpath "${2:?new binary}")
WORKFLOWS=${WORKFLOWS:-1000000}
BACKENDS=${BACKENDS:-sqlite postgres}
PG=postgres://postgres@127.0.0.1:5432
WORK=$(mktemp -d ${BENCH_DIR:+-p "$BENCH_DIR"})
trap 'rm -rf "$WORK"; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS quorum_bench_queue" >/dev/null 2>&1 || true' EXIT
order=("old:$old" "new:$new" "old:$old" "new:$new")

for backend in $BACKENDS; do
    echo "# read path, $backend, $WORKFLOWS workflows"
    data=$WORK/read-$backend
    mkdir -p "$data"
    if [ "$backend" = postgres ]; then
        psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS quorum_bench"
        psql "$PG/postgres" -qc "CREATE DATABASE quorum_bench"
        RUST_LOG=warn QUORUM_DATABASE_URL=$PG/quorum_bench QUORUM_DATA_DIR=$data "$new" demo-data --workflows "$WORKFLOWS" >/dev/null
        psql "$PG/quorum_bench" -qc "VACUUM ANALYZE"
        psql "$PG/quorum_bench" -qc "CHECKPOINT"
    else
        (unset QUORUM_DATABASE_URL; RUST_LOG=warn QUORUM_DATA_DIR=$data "$new" demo-data --workflows "$WORKFLOWS" >/dev/null)
        sqlite3 "$data/quorum.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    fi
    for run in "${order[@]}"; do
        echo "## ${run%%:*}"
        QUORUM_BIN=${run#*:} REUSE=$data bench/api.sh "$backend" "$WORKFLOWS" 5s | tail -n +2
    done
done

fresh_pg() {
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS quorum_bench_queue" >/dev/null
    psql "$PG/postgres" -qc "CREATE DATABASE quorum_bench_queue" >/dev/null
    echo "$PG/quorum_bench_queue"
}
bench() { # binary database-url queue args…
    local bin=$1 db=$2 queue=$3; shift 3
    rm -rf "$WORK/data"
    QUORUM_DATA_DIR="$WORK/data" QUORUM_DATABASE_URL="$db" QUORUM_QUEUE="$queue" RUST_LOG=warn "$bin" bench "$@"
}
echo "# queue and workflows"
for run in "${order[@]}"; do
    bin=${run#*:}
    sqlite="sqlite://$WORK/data/quorum.db"
    echo "## ${run%%:*}"
    bench "$bin" "$sqlite" db queue --jobs 20000 --workers 2 --batch 100
    bench "$bin" "$sqlite" db queue --jobs 20000 --workers 2 --batch 1
    bench "$bin" "$(fresh_pg)" db queue --jobs 20000 --workers 2 --batch 100
    bench "$bin" "$sqlite" db workflows --workflows 2000 --workers 4
    bench "$bin" "$(fresh_pg)" db workflows --workflows 2000 --workers 4
done

echo "# website workflows"
for run in "${order[@]}"; do
    echo "## ${run%%:*}"
    # KEEP: removing a run's files slows the next run's file creation (see websites.sh).
    KEEP=1 BENCH_DIR=$WORK QUORUM_BIN=${run#*:} bench/websites.sh 2>/dev/null
done

#!/usr/bin/env bash
# Read-path benchmark at scale: load N demo workflows, serve them, and measure the seed's
# endpoints with wrk (16 connections). Usage:
#   bench/api.sh sqlite|postgres [WORKFLOWS=1000000] [DURATION=15s]
# Needs a release build (cargo build --release --bin quorum; QUORUM_BIN=/path/quorum for
# another) and wrk (apt-get install wrk).
# REUSE=DIR (SQLite: a data dir from an earlier run; PostgreSQL: any value) skips the load and
# measures the data already there.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:?sqlite or postgres}
workflows=${2:-1000000}
duration=${3:-15s}
bin=${QUORUM_BIN:-target/release/quorum}
port=5099
work=$(mktemp -d)
export QUORUM_DATA_DIR=${REUSE:-$work} QUORUM_BIND=127.0.0.1:$port QUORUM_ADMIN_TOKEN=bench-admin-token
if [ "$backend" = postgres ]; then
    export QUORUM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/quorum_bench
    if [ -z "${REUSE:-}" ]; then
        psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS quorum_bench" postgres
        psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE quorum_bench" postgres
    fi
else
    unset QUORUM_DATABASE_URL
fi

echo "## $backend, $workflows workflows"
if [ -z "${REUSE:-}" ]; then
    /usr/bin/time -f "demo-data: %e s elapsed, %M KiB max RSS" $bin demo-data --workflows "$workflows" 2>&1 | grep -v '^\s*$' | tail -2
    # Measure the steady state, not the load's aftermath: flush what the load left in the
    # write-ahead log before the first request.
    if [ "$backend" = postgres ]; then
        psql -h 127.0.0.1 -U postgres -qc "VACUUM ANALYZE" quorum_bench
        psql -h 127.0.0.1 -U postgres -qc "CHECKPOINT" quorum_bench
    else
        sqlite3 "$QUORUM_DATA_DIR/quorum.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    fi
fi

$bin serve >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

base=http://127.0.0.1:$port
auth="Authorization: Bearer bench-admin-token"
id=$(curl -sf -H "$auth" "$base/api/workflows?status=completed&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workflows"][0]["id"])')
# The page that starts 10,000 pages of 100 deep (row 999,900 of a million), by its cursor.
deep=$((workflows / 100 * 99 - 100))
cursor=$(curl -sf -H "$auth" "$base/api/workflows?limit=100&offset=$deep" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')

run() {
    local name=$1 path=$2
    local out
    out=$(wrk -t2 -c16 -d"$duration" --latency -H "$auth" "$base$path")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
    printf '| %-32s | %9s | %8s | %8s | %s\n' "$name" "$rps" "$p50" "$p99" "$errors"
}

echo "| endpoint | req/s | p50 | p99 |"
echo "|---|---|---|---|"
run "list ?status=pending" "/api/workflows?status=pending"
run "list ?council_id&status=pending" "/api/workflows?council_id=council_media&status=pending"
run "list ?agent_id" "/api/workflows?agent_id=agent_jermaine_super_action"
run "list ?workflow_type_id" "/api/workflows?workflow_type_id=invoice_reminders"
run "list (no filter)" "/api/workflows"
run "detail" "/api/workflows/$id"
run "metrics" "/api/workflows/metrics"
run "metrics ?council_id" "/api/workflows/metrics?council_id=council_commerce"
run "cursor page 10,000 deep" "/api/workflows?limit=100&cursor=$cursor"
# The seed's offset pages, half way down: from the nearest mark (quorum_store::marks).
run "offset page, half way down" "/api/workflows?limit=100&offset=$((workflows / 2))"

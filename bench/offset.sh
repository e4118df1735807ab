#!/usr/bin/env bash
# The seed's deep offset page (GET /api/workflows?limit=100&offset=500000) from the list's
# marks and by walking the index, on one loaded database and one binary, in one sitting:
#   REUSE=DIR bench/offset.sh sqlite      # DIR: a data dir loaded by bench/api.sh or demo-data
#   bench/offset.sh postgres              # the quorum_bench database bench/api.sh loaded
# It clears the marks, asks one deep page (which walks and wakes the server's keeper), waits
# for the marks, measures; then records a late insert with marks just taken, so that every
# page walks for the next minute, and measures that; then lets the keeper take them again.
# Needs a release build (QUORUM_BIN) and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:?sqlite or postgres}
bin=${QUORUM_BIN:-target/release/quorum}
export QUORUM_BIND=127.0.0.1:5099 QUORUM_ADMIN_TOKEN=bench-admin-token QUORUM_WORKERS=0
auth="Authorization: Bearer bench-admin-token"
url="http://127.0.0.1:5099/api/workflows?limit=100&offset=${OFFSET:-500000}"
micros() { python3 -c "import time; print(int((time.time() + $1) * 1e6))"; }
if [ "$backend" = postgres ]; then
    export QUORUM_DATA_DIR=$(mktemp -d) QUORUM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/quorum_bench
    sql() { psql -h 127.0.0.1 -U postgres -qtAc "$1" quorum_bench; }
    at() { echo "to_timestamp($(micros "$1") / 1e6)"; }
else
    unset QUORUM_DATABASE_URL
    export QUORUM_DATA_DIR=${REUSE:?REUSE=data dir of a loaded SQLite database}
    sql() { sqlite3 "$QUORUM_DATA_DIR/quorum.db" "$1"; }
    at() { micros "$1"; }
fi
$bin migrate >/dev/null
sql "DELETE FROM workflow_marks"
sql "UPDATE workflow_mark_state SET seen = NULL, covered = 0, taken_at = NULL"
$bin serve >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5099/readyz >/dev/null && break; sleep 0.2; done
measure() {
    wrk -t2 -c16 -d"${DURATION:-15s}" --timeout 30s --latency -H "$auth" "$url" |
        awk '/Requests\/sec/ {r = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2} /Non-2xx|Socket errors/ {e = " " $0} END {print r " req/s, p50 " p50 ", p99 " p99 e}'
}
since() { echo "$(date +%s.%N) - $1" | bc; }
start=$(date +%s.%N)
first=$(curl -s -w '%{time_total}' -o /dev/null -H "$auth" "$url")
until [ -n "$(sql 'SELECT seen FROM workflow_mark_state')" ]; do sleep 0.05; done
echo "## $backend: first deep page (walked) in $first s; marks taken $(since "$start") s after it asked (seen, covered: $(sql 'SELECT seen, covered FROM workflow_mark_state'))"
echo "from marks: $(measure)"
sql "INSERT INTO workflow_late_inserts (at) VALUES ($(at 0))"
sql "UPDATE workflow_mark_state SET taken_at = $(at 0)"
echo "walked:     $(measure)"
sql "UPDATE workflow_mark_state SET taken_at = $(at -120)"
start=$(date +%s.%N)
curl -s -o /dev/null -H "$auth" "$url"
until [ "$(sql 'SELECT seen FROM workflow_mark_state')" = "$(sql 'SELECT COUNT(*) FROM workflow_late_inserts')" ]; do sleep 0.05; done
echo "marks taken again $(since "$start") s after a deep page asked"
echo "from marks: $(measure)"

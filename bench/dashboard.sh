#!/usr/bin/env bash
# Dashboard pages at scale: load N demo workflows into SQLite (or REUSE=DIR an earlier load),
# serve them, sign in, propose one website workflow (for its page and preview), and measure
# every page with wrk (16 connections) and its size.
#   bench/dashboard.sh [WORKFLOWS=1000000] [DURATION=10s]
set -euo pipefail
cd "$(dirname "$0")/.."
workflows=${1:-1000000}
duration=${2:-10s}
bin=${QUORUM_BIN:-target/release/quorum}
port=5098
work=$(mktemp -d)
export QUORUM_DATA_DIR=${REUSE:-$work} QUORUM_BIND=127.0.0.1:$port QUORUM_ADMIN_TOKEN=bench-admin-token
unset QUORUM_DATABASE_URL
if [ -z "${REUSE:-}" ]; then
    $bin demo-data --workflows "$workflows" >/dev/null 2>&1
    sqlite3 "$QUORUM_DATA_DIR/quorum.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
fi
$bin serve >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
base=http://127.0.0.1:$port
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done

jar=$work/cookies
csrf=$(curl -s -c "$jar" "$base/dashboard/sign-in" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&next=/dashboard&token=bench-admin-token" "$base/dashboard/sign-in"
session=$(awk '$6 == "quorum_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "sign-in failed" >&2; exit 1; }
cookie="Cookie: quorum_session=$session"
id=$(curl -sf -H "Authorization: Bearer bench-admin-token" "$base/api/workflows?status=completed&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workflows"][0]["id"])')
# A website workflow proposed now, beside the imported million: its page and its preview.
site=$(curl -sf -H "Authorization: Bearer bench-admin-token" -H "Content-Type: application/json" \
    -d '{"workflow_type_id": "website.create_basic_site", "enqueue": false, "inputs": {"site_name": "Mill Street Bakery",
         "site_description": "Sourdough, rye and pastries baked every morning on Mill Street.",
         "about": "We have baked on Mill Street since 1998, with flour from the mill next door.",
         "services": [{"name": "Wholesale", "description": "Daily bread for cafes.", "price": "from $40"}],
         "contact_email": "hello@millstreet.example"}}' \
    "$base/api/workflows" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

echo "| page | bytes | req/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for path in /dashboard /dashboard/queue "/dashboard/queue?sort=deadline" "/dashboard/queue?sort=oldest&page=1000" \
            /dashboard/history "/dashboard/history?status=completed&agent_id=agent_jermaine_super_action" \
            "/dashboard/workflows/$id" "/dashboard/workflows/$site" "/previews/$site/" /dashboard/agents \
            /dashboard/agents/agent_jermaine_super_action /dashboard/analytics /dashboard/settings; do
    bytes=$(curl -s -H "$cookie" "$base$path" | wc -c)
    out=$(wrk -t2 -c16 -d"$duration" --latency -H "$cookie" "$base$path")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
    printf '| %s | %s | %s | %s | %s | %s\n' "$path" "$bytes" "$rps" "$p50" "$p99" "$errors"
done

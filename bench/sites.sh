#!/usr/bin/env bash
# A deployed site served by Quorum from the database, beside the same files served by nginx
# (Debian's package) on another loopback port: the home page and the stylesheet, each with wrk
# (16 connections, 2 threads), one after the other in one run.
#
#   bench/sites.sh                       # 10 s per measurement
#   DURATION=30s bench/sites.sh
#   QUORUM_BIN=/path/quorum bench/sites.sh
#
# Needs wrk and nginx (apt-get install -y wrk nginx). Quorum runs on the embedded default
# (SQLite, in-process workers); a site is proposed, approved by two members and deployed
# through the API first, then its files are copied out over HTTP for nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
BIN=${QUORUM_BIN:-target/release/quorum}
[ -n "${QUORUM_BIN:-}" ] || cargo build --release --bin quorum >&2
for tool in wrk nginx curl python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y wrk nginx)" >&2; exit 2; }
done
WORK=$(mktemp -d)
server=
proxy=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    [ -n "$proxy" ] && kill "$proxy" 2>/dev/null && wait "$proxy" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

ADMIN=bench-sites-admin-token
port=$(free_port)
base=http://127.0.0.1:$port
QUORUM_DATA_DIR=$WORK/data QUORUM_BIND=127.0.0.1:$port QUORUM_ADMIN_TOKEN=$ADMIN RUST_LOG=warn \
    "$BIN" serve >"$WORK/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done

post() { curl -sf -X POST "$base$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' -d "$3"; }
declare -A token
for who in agent_bench:agent:agent m1:user:member m2:user:member m3:user:member; do
    IFS=: read -r id kind role <<<"$who"
    token[$id]=$(post /api/principals "$ADMIN" "{\"id\": \"$id\", \"kind\": \"$kind\", \"roles\": [\"$role\"]}" | json '["token"]')
done
post /api/councils "$ADMIN" '{"id": "council_media", "name": "Media", "domains": ["media"], "members": ["m1", "m2", "m3"]}' >/dev/null
id=$(post /api/workflows "${token[agent_bench]}" '{"workflow_type_id": "website.create_basic_site", "inputs": {
    "site_name": "Harbour Lane Bakery", "site_description": "Sourdough, rye and pastries baked every morning on Harbour Lane",
    "contact_email": "hello@harbourlane.example"}}' | json '["id"]')
for m in m1 m2; do
    post "/api/workflows/$id/votes" "${token[$m]}" '{"vote": "approve", "reason": "ready"}' >/dev/null
done
for _ in $(seq 1 300); do
    status=$(curl -sf "$base/api/workflows/$id" -H "Authorization: Bearer $ADMIN" | json '["status"]')
    [ "$status" = COMPLETED ] && break
    [ "$status" = FAILED ] && { echo "the site's workflow failed" >&2; exit 1; }
    sleep 0.1
done
outputs=$(curl -sf "$base/api/workflows/$id" -H "Authorization: Bearer $ADMIN")
page=$(echo "$outputs" | json '["outputs"]["site_url"]')
css=$(echo "$outputs" | json '["outputs"]["asset_urls"]["css"]')
path_of() { echo "${1#"$base"}"; }

# The same bytes for nginx, at the same paths.
for url in "$page" "$css"; do
    file=$WORK/nginx$(path_of "$url")
    case $file in */) file=${file}index.html ;; esac
    mkdir -p "$(dirname "$file")"
    curl -sf "$url" -o "$file"
done
nport=$(free_port)
cat >"$WORK/nginx.conf" <<EOF
worker_processes 2;
error_log $WORK/nginx-error.log;
pid $WORK/nginx.pid;
user root;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$nport;
        root $WORK/nginx;
        location ~ \.html\$|/\$ { add_header Cache-Control no-cache; }
    }
}
EOF
nginx -c "$WORK/nginx.conf" -p "$WORK" -g 'daemon off;' &
proxy=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$nport$(path_of "$page")" >/dev/null && break; sleep 0.1; done

measure() {
    local out
    out=$(wrk -t2 -c16 -d"$DURATION" --latency "$1")
    local rps p99
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    echo "$rps $p99"
}
echo "| file | Quorum req/s | Quorum p99 | nginx req/s | nginx p99 | Quorum / nginx |"
echo "|---|---:|---:|---:|---:|---:|"
for url in "$page" "$css"; do
    path=$(path_of "$url")
    read -r q_rps q_p99 <<<"$(measure "$url")"
    read -r n_rps n_p99 <<<"$(measure "http://127.0.0.1:$nport$path")"
    ratio=$(python3 -c "print(f'{$q_rps / $n_rps:.0%}')")
    bytes=$(curl -s "$url" | wc -c)
    echo "| \`$path\` ($bytes B) | $q_rps | $q_p99 | $n_rps | $n_p99 | $ratio |"
done

#!/usr/bin/env bash
# Quorum's side of bench/peers: the same work as each peer, in the same sitting.
# Usage: bench/peers/quorum/run.sh
#   QUORUM_BIN      a release binary built already (default: target/release/quorum, built first)
#   PEER_JOBS       jobs per queue measurement (default 20000)
#   PEER_WORKFLOWS  workflows per `quorum bench workflows` measurement (default 2000)
#   PEER_DURATION   the HTTP load per database (default 20s)
#   QUORUM_PEERS_WARMUP  load before the measured one, not counted (default 5s; 0 for none)
#   QUORUM_PEERS_IDLE    seconds between the first workflow and the idle memory reading (default 5)
#   QUORUM_PEERS_PORT    the port of `quorum serve` on 127.0.0.1 (default 5692)
#   PEER_PG         PostgreSQL server URL (default postgres://postgres@127.0.0.1:5432); every
#                   PostgreSQL measurement gets a fresh database quorum_peers_quorum, dropped after
#   PEER_REDIS      Redis URL (default redis://127.0.0.1:6379/13); each Redis measurement's keys
#                   live under a prefix of their own, deleted after it
# Prints one JSON line per measurement, Quorum's own benches' lines with "engine": "quorum" and
# what they stand beside ("beside") added:
#   - `quorum bench queue` on PostgreSQL beside graphile-worker: one job per claim with 10 and 20
#     workers (graphile-worker's 1 and 2 processes of concurrentJobs 10), and claims of 500 with 1
#     and 2 workers (its 1 and 2 processes with localQueue.size 500);
#   - the same on Redis beside BullMQ (1 and 2 processes of concurrency 10) and Celery's no-op
#     tasks;
#   - `quorum bench workflows --steps 8` (core.noop steps, no vote) on SQLite, PostgreSQL, and
#     PostgreSQL with the Redis queue, beside Celery's chains of 8 tasks;
#   - bench.mjs: the 8-step type proposed over HTTP at 16 connections to `quorum serve`, on SQLite
#     and on PostgreSQL, beside n8n's webhook workflow, with memory and start-up time.
# Quorum runs one process with its defaults everywhere: it is multi-threaded, where a Node.js or
# Python peer takes a second process to use the second core.
set -euo pipefail
cd "$(dirname "$0")"
source ../lib.sh
root=$(cd ../../.. && pwd)
jobs=${PEER_JOBS:-20000}
workflows=${PEER_WORKFLOWS:-2000}
duration=${PEER_DURATION:-20s}
redis=${PEER_REDIS:-redis://127.0.0.1:6379/13}
bin=${QUORUM_BIN:-$root/target/release/quorum}
db=quorum_peers_quorum

[ -n "${QUORUM_BIN:-}" ] || (cd "$root" && cargo build --release --bin quorum >&2)
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
if [ "$(redis-cli -u "$redis" ping 2>/dev/null)" != PONG ]; then
    echo "Redis does not answer at $redis" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"; peer_pg_drop $db || true; redis-cli -u "$redis" --scan --pattern "quorum-peers-quorum-*" | xargs -r redis-cli -u "$redis" unlink >/dev/null' EXIT

# One `quorum bench` with a fresh data directory, its JSON line tagged.
#   bench DATABASE QUEUE BESIDE ARGS...   (DATABASE: sqlite or postgres; QUEUE: db or redis)
bench() {
    local database=$1 queue=$2 beside=$3 url prefix line
    shift 3
    rm -rf "$work/data"
    url=sqlite://$work/data/quorum.db
    if [ "$database" = postgres ]; then
        peer_pg_fresh $db
        url=$PEER_PG/$db
    fi
    prefix=quorum-peers-quorum-$$
    [ "$queue" = db ] || queue="$redis?prefix=$prefix"
    line=$(QUORUM_DATA_DIR="$work/data" QUORUM_DATABASE_URL="$url" QUORUM_QUEUE="$queue" RUST_LOG=warn \
        "$bin" bench "$@")
    redis-cli -u "$redis" --scan --pattern "$prefix:*" | xargs -r redis-cli -u "$redis" unlink >/dev/null
    python3 -c 'import json, sys; line = json.loads(sys.argv[1]); print(json.dumps({"engine": "quorum", "beside": sys.argv[2], **line}))' "$line" "$beside"
}

for queue in db redis; do
    if [ $queue = db ]; then database=postgres beside=graphile-worker; else database=sqlite beside=bullmq; fi
    for workers in 10 20; do
        bench $database $queue $beside queue --jobs "$jobs" --workers $workers --batch 1
    done
    for workers in 1 2; do
        bench $database $queue $beside queue --jobs "$jobs" --workers $workers --batch 500
    done
done
bench sqlite db celery workflows --workflows "$workflows" --steps 8
bench postgres db celery workflows --workflows "$workflows" --steps 8
bench postgres redis celery workflows --workflows "$workflows" --steps 8

http() {
    "$PEER_NODE" bench.mjs --quorum-bin "$bin" --duration "$duration" --warmup "${QUORUM_PEERS_WARMUP:-5s}" \
        --idle "${QUORUM_PEERS_IDLE:-5}" --port "${QUORUM_PEERS_PORT:-5692}" "$@"
}
http --db sqlite
peer_pg_fresh $db
http --db postgres --pg "$PEER_PG/$db"

#!/usr/bin/env bash
# BullMQ beside Quorum's queue benchmark: the same no-op jobs through BullMQ, the Redis job
# queue for Node.js, on this machine, so that Quorum's Redis queue has a well-known Redis queue
# beside it from the same sitting.
# Usage: bench/peers/bullmq/run.sh
#   PEER_JOBS           jobs per measurement (default 20000)
#   BULLMQ_CONCURRENCY  concurrency of each worker process (default 10)
#   PEER_REDIS          Redis URL (default redis://127.0.0.1:6379/13); the queue's keys live
#                       under a prefix of their own, quorum-peers-bullmq-<pid>:, deleted after
#                       each run. Nothing is flushed.
#   PEERS_DIR           where the peers are installed (default /tmp/quorum-peers); see ../lib.sh
# Installs BullMQ and ioredis (its Redis driver, an optional peer dependency since BullMQ 6;
# the versions in package-lock.json) into $PEERS_DIR/bullmq. Prints one JSON line per
# measurement; bench.mjs says what each figure means.
#
# Settings: concurrency 10 per worker process, BullMQ's default being 1. With a no-op processor
# a worker is waiting on Redis round trips, and concurrency is how many it keeps in flight; 10
# is what graphile-worker runs with here (bench/peers/graphile-worker), so both Node.js queues
# get the same in-flight jobs per process. Everything else is BullMQ's default.
# removeOnComplete: measured at BullMQ's default, which keeps every completed job in Redis,
# with 1 and 2 worker processes; then once, 1 process, with the removeOnComplete { count: 1000 }
# / removeOnFail { count: 5000 } that its documentation recommends for production.
set -euo pipefail
cd "$(dirname "$0")"
source ../lib.sh
jobs=${PEER_JOBS:-20000}
concurrency=${BULLMQ_CONCURRENCY:-10}
url=${PEER_REDIS:-redis://127.0.0.1:6379/13}
dir=$PEERS_DIR/bullmq

if [ "$(redis-cli -u "$url" ping 2>/dev/null)" != PONG ]; then
    echo "Redis does not answer at $url" >&2
    exit 1
fi
peer_npm_install . "$dir"
# The scripts run from the install folder, so that they import its node_modules.
cp bench.mjs worker.mjs "$dir/"
# A run that died leaves its prefix behind; bench.mjs deletes its own otherwise.
trap 'redis-cli -u "$url" --scan --pattern "quorum-peers-bullmq-*" | xargs -r redis-cli -u "$url" unlink >/dev/null' EXIT

bench() { (cd "$dir" && "$PEER_NODE" bench.mjs --redis "$url" --jobs "$jobs" --concurrency "$concurrency" "$@"); }
bench --workers 1
bench --workers 2
bench --workers 1 --remove-on-complete recommended

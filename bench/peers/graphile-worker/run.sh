#!/usr/bin/env bash
# graphile-worker beside Quorum's queue benchmark: the same no-op jobs through graphile-worker,
# the PostgreSQL job queue for Node.js, on this machine, so that Quorum's PostgreSQL queue has a
# well-known PostgreSQL queue beside it from the same sitting.
# Usage: bench/peers/graphile-worker/run.sh
#   PEER_JOBS         jobs per measurement (default 20000)
#   GW_CONCURRENCY    concurrentJobs of each worker process (default 10)
#   GW_POOL           maxPoolSize of each worker process (default 12)
#   PEER_PG           PostgreSQL server URL (default postgres://postgres@127.0.0.1:5432); each
#                     measurement gets a fresh database quorum_peers_graphile_worker, dropped after
#   PEERS_DIR         where the peers are installed (default /tmp/quorum-peers); see ../lib.sh
# Installs graphile-worker (the versions in package-lock.json) into $PEERS_DIR/graphile-worker.
# Prints one JSON line per measurement: unbatched and batched, with 1 and 2 worker processes;
# bench.mjs says what each figure means.
#
# Settings: concurrentJobs 10 per process, maxPoolSize 12. graphile-worker's own default is 1
# job at a time, which nobody runs for throughput; 10 is the pool size it ships with, and 12 is
# the pool its documentation asks for at that concurrency (concurrentJobs + 2, at least 10).
# More would not help on this 2-core machine: a no-op job's cost is its queries, and workers,
# pool and PostgreSQL already share two cores. "batched" adds the batching options exactly as
# graphile-worker's performance page sets them (localQueue.size 500, completeJobBatchDelay 0,
# failJobBatchDelay 0); everything else stays at its defaults.
set -euo pipefail
cd "$(dirname "$0")"
source ../lib.sh
jobs=${PEER_JOBS:-20000}
concurrency=${GW_CONCURRENCY:-10}
pool=${GW_POOL:-12}
dir=$PEERS_DIR/graphile-worker
db=quorum_peers_graphile_worker

peer_npm_install . "$dir"
# The scripts run from the install folder, so that they import its node_modules.
cp bench.mjs worker.mjs "$dir/"
trap 'peer_pg_drop $db || true' EXIT

for mode in unbatched batched; do
    for workers in 1 2; do
        peer_pg_fresh $db
        (cd "$dir" && "$PEER_NODE" bench.mjs --db "$PEER_PG/$db" --jobs "$jobs" --workers "$workers" \
            --mode "$mode" --concurrency "$concurrency" --pool "$pool")
    done
done

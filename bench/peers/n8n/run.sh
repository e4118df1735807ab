#!/usr/bin/env bash
# n8n beside Quorum's workflow benchmarks: a webhook-triggered workflow of 8 no-op steps in n8n,
# the best-known self-hosted workflow automation tool, loaded over HTTP on this machine, on
# SQLite (n8n's default) and on PostgreSQL, so that Quorum's executions per second, latency,
# memory and start-up time have n8n's beside them from the same sitting.
# Usage: bench/peers/n8n/run.sh
#   PEER_DURATION     length of the load, as wrk takes it (default 20s)
#   PEER_CONNECTIONS  concurrent connections of the load (default 16, as bench/api.sh)
#   N8N_BENCH_PORT    n8n's port on 127.0.0.1 (default 5690; the next one is its task broker's)
#   N8N_BENCH_IDLE    seconds between healthy and the idle memory reading (default 5)
#   N8N_BENCH_WARMUP  load before the measured one, not counted (default 5s; 0 for none)
#   PEER_PG           PostgreSQL server URL (default postgres://postgres@127.0.0.1:5432); the
#                     PostgreSQL run gets a fresh database quorum_peers_n8n, dropped after
#   PEERS_DIR         where the peers are installed (default /tmp/quorum-peers); see ../lib.sh
#   Any n8n variable, e.g. EXECUTIONS_DATA_SAVE_ON_SUCCESS=none, is passed on to n8n.
# Installs n8n (the versions in package-lock.json) into $PEERS_DIR/n8n: some 2,400 packages and 3 GB,
# several minutes the first time. Needs wrk (apt-get install wrk), sqlite3 and psql. Prints one
# JSON line per database; bench.mjs says what each figure means.
#
# The install runs no package's install scripts but sqlite3's, which builds its native module
# (n8n's SQLite driver) from source against the Node in use: the others download prebuilt
# binaries from outside the npm registry, report telemetry (@scarf/scarf) or fetch a browser
# (agent-browser), and none is needed for a webhook and no-op nodes; the one that would have to
# compile instead, the Kafka client, does not build here. Everything n8n needs for this workflow
# is plain JavaScript.
# Settings: n8n's defaults, which save every execution (EXECUTIONS_MODE=regular,
# EXECUTIONS_DATA_SAVE_ON_SUCCESS=all), with telemetry, version notifications, templates,
# personalization and banners off, and N8N_LOG_LEVEL=warn; the JSON line reports the execution
# settings in force. The workflow is workflow.json, imported and published with n8n's CLI.
# PostgreSQL: n8n 2.41 logs that it supports PostgreSQL 17 and newer (16 on compatibility
# support) and runs on older servers all the same; the JSON line says which server it ran on.
set -euo pipefail
cd "$(dirname "$0")"
source ../lib.sh
duration=${PEER_DURATION:-20s}
connections=${PEER_CONNECTIONS:-16}
port=${N8N_BENCH_PORT:-5690}
idle=${N8N_BENCH_IDLE:-5}
warmup=${N8N_BENCH_WARMUP:-5s}
dir=$PEERS_DIR/n8n
db=quorum_peers_n8n

for tool in wrk sqlite3 psql; do
    command -v $tool >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "something already listens on 127.0.0.1:$port; set N8N_BENCH_PORT" >&2
    exit 1
fi

peer_npm_install . "$dir" --ignore-scripts
# sqlite3's native module, built here when the Node in use cannot load the one installed.
if ! (cd "$dir" && "$PEER_NODE" -e 'require("sqlite3")' 2>/dev/null); then
    echo "building sqlite3 for n8n (a few minutes)" >&2
    (cd "$dir" && peer_npm rebuild sqlite3 --loglevel=error >&2)
fi

trap 'peer_pg_drop $db || true' EXIT
bench() { "$PEER_NODE" bench.mjs --n8n-dir "$dir" --duration "$duration" --connections "$connections" --port "$port" --idle "$idle" --warmup "$warmup" "$@"; }
bench --db sqlite
peer_pg_fresh $db
bench --db postgres --pg "$PEER_PG/$db"

#!/usr/bin/env bash
# The peer engines beside Quorum, in one sitting on this machine: graphile-worker (PostgreSQL
# queue), BullMQ (Redis queue), Celery (Redis task queue, no-op tasks and 8-step chains) and n8n
# (webhook workflow of 8 no-op nodes, on SQLite and PostgreSQL), one after the other, never two
# at once. Each peer's run.sh says what it measures and with which settings.
# Usage: bench/peers/run-peers.sh [PEER...]     (default: graphile-worker bullmq celery n8n)
#   PEER_JOBS       jobs per queue measurement (default 20000)
#   PEER_WORKFLOWS  Celery chains per workflow measurement (default 2000)
#   PEER_DURATION   n8n's load per database (default 20s)
#   PEERS_DIR       where the peers are installed (default /tmp/quorum-peers)
#   and each peer's own variables (see its run.sh)
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and Redis at 127.0.0.1:6379 (db 13),
# python3, psql, sqlite3, wrk and npm; everything else is installed under $PEERS_DIR on first use
# (n8n alone is some 3 GB). Prints the JSON lines of every measurement on stdout, in order;
# installs and progress go to stderr. A peer that fails is reported on stderr and the others
# still run; the exit status is then 1.
set -euo pipefail
cd "$(dirname "$0")"
peers=("$@")
[ ${#peers[@]} -gt 0 ] || peers=(graphile-worker bullmq celery n8n)

status=0
for peer in "${peers[@]}"; do
    if [ ! -x "$peer/run.sh" ]; then
        echo "no peer $peer (bench/peers/$peer/run.sh)" >&2
        exit 2
    fi
    echo "== $peer" >&2
    if ! "$peer/run.sh"; then
        echo "== $peer failed" >&2
        status=1
    fi
done
exit $status

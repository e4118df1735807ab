#!/usr/bin/env bash
# The peer engines beside Quorum, in one sitting on this machine: graphile-worker (PostgreSQL
# queue), BullMQ (Redis queue), Celery (Redis task queue, no-op tasks and 8-step chains), n8n
# (webhook workflow of 8 no-op nodes, on SQLite and PostgreSQL) and Quorum doing the same work
# (quorum/run.sh), one after the other, never two at once. Each one's run.sh says what it
# measures and with which settings.
# Usage: bench/peers/run.sh [PEER...]     (default: graphile-worker bullmq celery n8n quorum)
#   PEER_JOBS       jobs per queue measurement (default 20000)
#   PEER_WORKFLOWS  workflows per workflow measurement: Celery's chains, Quorum's (default 2000)
#   PEER_DURATION   the HTTP load per database, n8n's and Quorum's (default 20s)
#   PEERS_DIR       where the peers are installed (default /tmp/quorum-peers)
#   PEERS_RESULTS   where the sitting's JSON lines are kept (default $PEERS_DIR/results-<time>.jsonl)
#   QUORUM_BIN      Quorum's release binary (default: target/release/quorum, built first)
#   and each peer's own variables (see its run.sh)
# A sitting of every peer that all succeeded ends with table.py writing its table of ratios
# (Quorum ÷ peer) into BENCHMARKS.md, between the markers <!-- peers:begin --> and
# <!-- peers:end -->; a sitting of some peers only writes none.
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and Redis at 127.0.0.1:6379 (db 13),
# python3, psql, sqlite3, wrk and npm; everything else is installed under $PEERS_DIR on first use
# (n8n alone is some 3 GB). Prints the JSON lines of every measurement on stdout, in order;
# installs and progress go to stderr. A peer that fails is reported on stderr and the others
# still run; the exit status is then 1.
set -euo pipefail
cd "$(dirname "$0")"
all=(graphile-worker bullmq celery n8n quorum)
peers=("$@")
[ ${#peers[@]} -gt 0 ] || peers=("${all[@]}")
mkdir -p "${PEERS_DIR:=/tmp/quorum-peers}"
results=${PEERS_RESULTS:-$PEERS_DIR/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
: >"$results"

status=0
for peer in "${peers[@]}"; do
    if [ ! -x "$peer/run.sh" ]; then
        echo "no peer $peer (bench/peers/$peer/run.sh)" >&2
        exit 2
    fi
    echo "== $peer" >&2
    if ! "$peer/run.sh" | tee -a "$results"; then
        echo "== $peer failed" >&2
        status=1
    fi
done
echo "the sitting's lines are in $results" >&2
if [ $status = 0 ] && [ "${peers[*]}" = "${all[*]}" ]; then
    ./table.py "$results" --write ../../BENCHMARKS.md
    echo "BENCHMARKS.md has the table of this sitting" >&2
fi
exit $status

#!/usr/bin/env bash
# Celery beside Quorum's queue and workflow benchmarks: the same no-op jobs, and 8-step no-op
# workflows as Celery chains, through Celery on a Redis broker on this machine, so that Quorum's
# figures have the best-known Python task queue beside them from the same sitting.
# Usage: bench/peers/celery/run.sh
#   PEER_JOBS       tasks per queue measurement (default 20000)
#   PEER_WORKFLOWS  chains per workflow measurement (default 2000)
#   PEER_CELERY_REDIS  broker URL (default redis://127.0.0.1:6379/13, never db 0); Celery's keys
#                   there are deleted after each run, and a run refuses to start if they exist
#   PEERS_DIR       where the peers are installed (default /tmp/quorum-peers); see ../lib.sh
# Installs Celery (requirements.txt) into the virtualenv $PEERS_DIR/celery/venv. Needs python3.
# Prints one JSON line per measurement: no-op tasks with 1 and 2 worker processes, then chains
# of 8 no-op tasks with 1 and 2; bench.py says what each figure means.
#
# Settings: every worker runs with --pool solo, one task at a time in the worker process itself
# (the counterpart of RQ's SimpleWorker in bench/rq), so "workers" counts OS processes, as it
# does for the other peers; prefork would add a child process and a pipe hop per task, and by
# default as many children per worker as cores. No result backend (Celery's default; chains do
# not need one). Everything else is Celery's default, e.g. prefetch multiplier 4, early acks.
set -euo pipefail
cd "$(dirname "$0")"
source ../lib.sh
jobs=${PEER_JOBS:-20000}
workflows=${PEER_WORKFLOWS:-2000}
url=${PEER_CELERY_REDIS:-redis://127.0.0.1:6379/13}
venv=$PEERS_DIR/celery/venv

if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$PEERS_DIR/celery"
    python3 -m venv "$venv"
fi
# Every run, not only on creation: a venv from an older requirements.txt must not measure
# another Celery than the one pinned here (pip does nothing when it already matches).
nice -n 19 "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt >&2

if [ "$(redis-cli -u "$url" ping 2>/dev/null)" != PONG ]; then
    echo "Redis does not answer at $url" >&2
    exit 1
fi

py="$venv/bin/python"
# The worker processes import noop_tasks.py from here; keep the tree free of __pycache__.
export PYTHONDONTWRITEBYTECODE=1
"$py" bench.py --redis "$url" --jobs "$jobs" --workers 1
"$py" bench.py --redis "$url" --jobs "$jobs" --workers 2
"$py" bench.py --redis "$url" --workflows "$workflows" --steps 8 --workers 1
"$py" bench.py --redis "$url" --workflows "$workflows" --steps 8 --workers 2

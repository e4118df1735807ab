#!/usr/bin/env bash
# Python RQ baseline for Quorum's queue benchmark: the same no-op jobs through RQ on this
# machine, so that Quorum's figures have a well-known queue beside them from the same run.
# Usage: bench/rq/run.sh
#   RQ_VENV   virtualenv to create or reuse (default /tmp/quorum-rq-venv)
#   RQ_JOBS   jobs per measurement (default 20000)
#   RQ_REDIS  Redis URL; its database is flushed (default redis://127.0.0.1:6379/15, never db 0)
# Needs python3 and a Redis on 127.0.0.1:6379 (apt-get install redis-server), e.g.
#   redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
# Prints one JSON line per run; bench/rq/bench.py says what each figure means.
set -euo pipefail
cd "$(dirname "$0")"
venv=${RQ_VENV:-/tmp/quorum-rq-venv}
jobs=${RQ_JOBS:-20000}
url=${RQ_REDIS:-redis://127.0.0.1:6379/15}

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# Every run, not only on creation: a venv from an older requirements.txt must not measure
# another RQ than the one pinned here (pip does nothing when it already matches).
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt

if [ "$(redis-cli -u "$url" ping 2>/dev/null)" != PONG ]; then
    echo "Redis does not answer at $url; start it, e.g.:" >&2
    echo "  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no" >&2
    exit 1
fi

py="$venv/bin/python"
# The worker processes import noop.py from here; keep the tree free of __pycache__.
export PYTHONDONTWRITEBYTECODE=1
"$py" bench.py --redis "$url" --jobs "$jobs" --workers 1
"$py" bench.py --redis "$url" --jobs "$jobs" --workers 2
"$py" bench.py --redis "$url" --jobs "$jobs" --workers 1 --workflow
# Whether discarding results at once (result_ttl=0) speeds RQ up, beside its default of 500 s.
"$py" bench.py --redis "$url" --jobs "$jobs" --workers 1 --result-ttl 0

#!/usr/bin/env bash
# Schemathesis with every check against a real server, on each backend: builds the debug
# binary, loads a little demo data into a fresh SQLite data dir and a fresh PostgreSQL
# database, serves it (no demo mode: reads need a token, as the document says), and runs
# `schemathesis run --checks all` against /api/openapi.json once as each of admin, an agent and
# a council member, with the settings in bench/schemathesis.toml. Usage:
#   bench/schemathesis.sh [sqlite|postgres|both] [MAX_EXAMPLES=100]
# Needs target/test-venv (crates/quorum-testkit/install-python-deps.sh) and, for PostgreSQL,
# psql and a server at postgres://postgres@127.0.0.1:5432 (PG_URL to change). Exits non-zero
# when a run reports a failure; reports go to target/schemathesis/<backend>-<role>/.
# GET /api/events is left out: its answer is a stream that never ends, which Schemathesis
# reads to the end; its errors are tested in crates/quorum-web/tests/api/events.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
backends=${1:-both}
max_examples=${2:-100}
pg_url=${PG_URL:-postgres://postgres@127.0.0.1:5432}
st=target/test-venv/bin/schemathesis
[ -x "$st" ] || { echo "no $st: run crates/quorum-testkit/install-python-deps.sh" >&2; exit 2; }
cargo build --bin quorum
bin=target/debug/quorum
work=$(mktemp -d)
server=
database=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    [ -n "$database" ] && psql "$pg_url/postgres" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

failed=0
run_backend() {
    local backend=$1
    export QUORUM_DATA_DIR=$work/$backend QUORUM_ADMIN_TOKEN=schemathesis-admin-token QUORUM_WORKERS=0
    mkdir -p "$QUORUM_DATA_DIR"
    if [ "$backend" = postgres ]; then
        database=quorum_schemathesis_$$
        psql "$pg_url/postgres" -qc "CREATE DATABASE $database" >/dev/null
        export QUORUM_DATABASE_URL=$pg_url/$database
    else
        unset QUORUM_DATABASE_URL
    fi
    # The demo's agents, members, councils and types, and a few hundred workflows to read.
    $bin demo-data --workflows 300 >"$work/$backend-load.log" 2>&1 || { cat "$work/$backend-load.log"; exit 2; }
    local agent member
    agent=$($bin token create agent_jermaine_super_action 2>/dev/null)
    member=$($bin token create user_media_editor 2>/dev/null)
    local port
    port=$(free_port)
    QUORUM_BIND=127.0.0.1:$port $bin serve >"$work/$backend-serve.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
    local role token
    for role in admin agent member; do
        case $role in
            admin) token=$QUORUM_ADMIN_TOKEN ;;
            agent) token=$agent ;;
            member) token=$member ;;
        esac
        local reports=target/schemathesis/$backend-$role
        rm -rf "$reports"
        mkdir -p "$reports"
        local command=("$st" --config-file bench/schemathesis.toml run "http://127.0.0.1:$port/api/openapi.json"
            --checks all --max-examples "$max_examples" --seed 1
            --exclude-path /api/events
            --request-timeout 10 --workers 2 --no-color
            --header "Authorization: Bearer $token"
            --report junit,ndjson --report-dir "$reports")
        echo "## $backend as $role"
        echo "${command[*]}" | sed "s/Bearer $token/Bearer <$role token>/"
        if "${command[@]}" >"$reports.log" 2>&1; then
            echo "no failures"
        else
            failed=1
        fi
        # The summary: each failure (operation, check, what was wrong, the status), then the
        # counts; the whole output is in the log.
        grep -E '^_{3,} |^- ST|^    Invalid component|^\[[0-9]{3}\] ' "$reports.log" || true
        sed -n '/^Failures:/,/^$/p; /^Errors:/,/^$/p; /generated,/p' "$reports.log"
        echo "(full output: $reports.log)"
    done
    kill "$server" && wait "$server" 2>/dev/null || true
    server=
    if [ -n "$database" ]; then
        psql "$pg_url/postgres" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
        database=
    fi
}

case $backends in
    sqlite | postgres) run_backend "$backends" ;;
    both) run_backend sqlite; run_backend postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both] [MAX_EXAMPLES]" >&2; exit 2 ;;
esac
exit $failed

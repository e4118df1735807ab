#!/usr/bin/env bash
# The website family on the embedded default (SQLite, in-process workers), in one sitting:
# complete workflows/s of each website type (proposed, approved by two council members,
# generated, deployed and verified over HTTP), then a store's checkouts over HTTP.
#
#   bench/family.sh                       # 300 workflows of each type, 20,000 orders
#   SITES=500 ORDERS=50000 CONNECTIONS=32 bench/family.sh
#   QUORUM_BIN=/path/quorum bench/family.sh
#   BENCH_DIR=/dev/shm bench/family.sh    # data directories somewhere else (default: $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=${SITES:-300}
ORDERS=${ORDERS:-20000}
CONNECTIONS=${CONNECTIONS:-16}
BIN=${QUORUM_BIN:-target/release/quorum}
[ -n "${QUORUM_BIN:-}" ] || cargo build --release --bin quorum >&2
run() {
    local work
    work=$(mktemp -d ${BENCH_DIR:+-p "$BENCH_DIR"})
    QUORUM_DATA_DIR="$work" RUST_LOG=warn "$BIN" bench "$@"
    rm -rf "$work"
}
for type in basic landing affiliate store; do
    run websites --type "$type" --workflows "$SITES"
done
run orders --orders "$ORDERS" --connections "$CONNECTIONS"

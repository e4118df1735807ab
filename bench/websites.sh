#!/usr/bin/env bash
# Website workflows end to end on the embedded default (SQLite, in-process workers): each
# proposed, approved by two council members, generated, deployed and verified over HTTP.
#
#   bench/websites.sh                    # 500 websites, 8 workers
#   SITES=1000 WORKERS=16 bench/websites.sh
#   QUORUM_BIN=/path/quorum bench/websites.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=${SITES:-500}
WORKERS=${WORKERS:-8}
BIN=${QUORUM_BIN:-target/release/quorum}
[ -n "${QUORUM_BIN:-}" ] || cargo build --release --bin quorum >&2
WORK=$(mktemp -d ${BENCH_DIR:+-p "$BENCH_DIR"})
trap 'rm -rf "$WORK"' EXIT
QUORUM_DATA_DIR="$WORK" RUST_LOG=warn "$BIN" bench websites --workflows "$SITES" --workers "$WORKERS"

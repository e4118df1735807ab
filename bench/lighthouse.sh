#!/usr/bin/env bash
# Lighthouse (npm's `lighthouse`, pinned in bench/lighthouse/package.json) with Debian's
# Chromium on every page of one site per theme, mobile (Lighthouse's default: a Moto G power
# emulated, 4× CPU slowdown, slow 4G). The sites carry the full content set of
# crates/quorum-steps/fixtures/bakery.json, each picture it names uploaded first.
#
#   bench/lighthouse.sh                   # the release build
#   QUORUM_BIN=target/debug/quorum bench/lighthouse.sh
#   THEMES="warm" bench/lighthouse.sh
#
# Prints one JSON line per page, then a table; exits 1 if a page scores below 95 for
# performance or below 100 for accessibility, best practices or SEO.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${QUORUM_BIN:-target/release/quorum}
[ -n "${QUORUM_BIN:-}" ] || cargo build --release --bin quorum >&2
THEMES=${THEMES:-studio warm bold}
CHROME=${CHROME_PATH:-$(command -v chromium || true)}
[ -n "$CHROME" ] || { echo "needs Chromium (apt-get install -y chromium)" >&2; exit 2; }
for tool in curl python3 npm node; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
if [ ! -x bench/lighthouse/node_modules/.bin/lighthouse ]; then
    (cd bench/lighthouse && npm ci --no-audit --no-fund --silent) >&2
fi

WORK=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

ADMIN=bench-lighthouse-admin-token
port=$(free_port)
base=http://127.0.0.1:$port
QUORUM_DATA_DIR=$WORK/data QUORUM_BIND=127.0.0.1:$port QUORUM_PUBLIC_URL=$base \
    QUORUM_ADMIN_TOKEN=$ADMIN RUST_LOG=warn "$BIN" serve >"$WORK/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done

post() { curl -sf -X POST "$base$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' -d "$3"; }
declare -A token
for who in agent_lh:agent:agent m1:user:member m2:user:member m3:user:member; do
    IFS=: read -r id kind role <<<"$who"
    token[$id]=$(post /api/principals "$ADMIN" "{\"id\": \"$id\", \"kind\": \"$kind\", \"roles\": [\"$role\"]}" | json '["token"]')
done
post /api/councils "$ADMIN" '{"id": "council_media", "name": "Media", "domains": ["media"], "members": ["m1", "m2", "m3"]}' >/dev/null

# Pictures with a photograph's texture (smooth light, fine grain), so the JPEG renditions weigh
# what real photographs would.
picture() {
    python3 - "$1" "$2" "$3" <<'EOF'
import random, struct, sys, zlib
path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(path)
rows = bytearray()
for y in range(height):
    rows.append(0)
    for x in range(width):
        n = random.randint(-12, 12)
        rows += bytes(max(0, min(255, v + n)) for v in (
            180 - y * 90 // height, 120 + x * 80 // width, 70 + (x + y) * 60 // (width + height)))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
open(path, "wb").write(png)
EOF
}
upload() {
    curl -sf -X POST "$base/api/uploads" -H "Authorization: Bearer ${token[agent_lh]}" \
        -H 'Content-Type: image/png' --data-binary "@$1" | json '["upload_id"]'
}
# One upload per picture the fixture names, at a size such a picture would have.
declare -A sizes=([logo]="600 200" [hero]="1600 1000" [gallery]="1200 900" [clara]="600 600")
uploads=$WORK/uploads.json
echo '{}' >"$uploads"
for id in $(python3 -c 'import json; d = json.load(open("crates/quorum-steps/fixtures/bakery.json"))
refs = [d.get("logo"), d.get("hero_image"), *d.get("gallery", []), *[m.get("photo") for m in d.get("team", [])]]
print(" ".join(r["upload"] for r in refs if r))'); do
    kind=${id#upl_}; kind=${kind%%[0-9]*}
    read -r w h <<<"${sizes[$kind]:-1200 900}"
    picture "$WORK/$id.png" "$w" "$h"
    uploaded=$(upload "$WORK/$id.png")
    python3 -c 'import json, sys; t = json.load(open(sys.argv[1])); t[sys.argv[2]] = sys.argv[3]; json.dump(t, open(sys.argv[1], "w"))' \
        "$uploads" "$id" "$uploaded"
done

declare -A pages_of
for theme in $THEMES; do
    inputs=$(python3 - "$theme" "$uploads" <<'EOF'
import json, sys
theme, uploads = sys.argv[1], json.load(open(sys.argv[2]))
inputs = json.load(open("crates/quorum-steps/fixtures/bakery.json"))
inputs["theme"] = theme
inputs["site_slug"] = f"lighthouse-{theme}"
inputs.pop("domain", None)
refs = [inputs.get("logo"), inputs.get("hero_image"), *inputs.get("gallery", []),
        *[m.get("photo") for m in inputs.get("team", [])]]
for ref in refs:
    if ref:
        ref["upload"] = uploads[ref["upload"]]
print(json.dumps({"workflow_type_id": "website.create_basic_site", "inputs": inputs}))
EOF
)
    id=$(post /api/workflows "${token[agent_lh]}" "$inputs" | json '["id"]')
    for m in m1 m2; do
        post "/api/workflows/$id/votes" "${token[$m]}" '{"vote": "approve", "reason": "ready"}' >/dev/null
    done
    for _ in $(seq 1 600); do
        status=$(curl -sf "$base/api/workflows/$id" -H "Authorization: Bearer $ADMIN" | json '["status"]')
        [ "$status" = COMPLETED ] && break
        [ "$status" = FAILED ] && { echo "the $theme site's workflow failed" >&2; exit 1; }
        sleep 0.1
    done
    pages_of[$theme]=$(curl -sf "$base/api/workflows/$id" -H "Authorization: Bearer $ADMIN" |
        python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["outputs"]["pages_created"]))')
done

version=$(bench/lighthouse/node_modules/.bin/lighthouse --version)
results=$WORK/results.jsonl
for theme in $THEMES; do
    for url in ${pages_of[$theme]}; do
        CHROME_PATH=$CHROME bench/lighthouse/node_modules/.bin/lighthouse "$url" --quiet \
            --chrome-flags="--headless=new --no-sandbox" --form-factor=mobile \
            --output=json --output-path="$WORK/report.json" >/dev/null 2>&1
        python3 - "$theme" "$url" "$base" "$version" "$WORK/report.json" <<'EOF' | tee -a "$results"
import json, sys
theme, url, base, version, path = sys.argv[1:]
report = json.load(open(path))
scores = {k.replace("-", "_"): round(v["score"] * 100) for k, v in report["categories"].items()}
audits = report["audits"]
print(json.dumps({"bench": "lighthouse", "lighthouse": version, "theme": theme,
                  "page": url[len(base):], **scores,
                  "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
                  "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
                  "bytes": audits["total-byte-weight"]["numericValue"]}))
EOF
    done
done

python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print()
print("| theme | page | performance | accessibility | best practices | SEO | LCP ms | CLS | bytes |")
print("|---|---|---|---|---|---|---|---|---|")
failed = False
for r in rows:
    print(f"| {r['theme']} | {r['page']} | {r['performance']} | {r['accessibility']} | "
          f"{r['best_practices']} | {r['seo']} | {r['lcp_ms']:,} | {r['cls']} | {r['bytes']:,} |")
    failed |= r["performance"] < 95 or min(r["accessibility"], r["best_practices"], r["seo"]) < 100
sys.exit(1 if failed else 0)
EOF

#!/usr/bin/env bash
# Installs what quorum-testkit's browser tests need: Debian's Chromium and chromedriver, and
# axe-core from js/package-lock.json. Safe to run again: each step runs only when its
# result is missing. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
    echo "installing chromium and chromium-driver"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver
fi

if [ ! -f js/node_modules/axe-core/axe.min.js ]; then
    echo "installing axe-core"
    npm ci --prefix js --no-audit --no-fund
fi

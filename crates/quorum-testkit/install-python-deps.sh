#!/usr/bin/env bash
# Installs what quorum-testkit's SMTP server needs: aiosmtpd, from PyPI, in a virtualenv at
# target/test-venv. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/test-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import aiosmtpd" 2>/dev/null; then
    echo "installing aiosmtpd"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r crates/quorum-testkit/python-requirements.txt
fi

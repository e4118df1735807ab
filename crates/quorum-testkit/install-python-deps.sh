#!/usr/bin/env bash
# Installs the PyPI tools the tests and bench/schemathesis.sh run, pinned in
# python-requirements.txt, in a virtualenv at target/test-venv: aiosmtpd (quorum-testkit's SMTP
# server), openapi-spec-validator (the OpenAPI document's test) and Schemathesis. Safe to run
# again: it installs only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/test-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import aiosmtpd" 2>/dev/null \
    || [ ! -x "$venv/bin/openapi-spec-validator" ] \
    || [ ! -x "$venv/bin/schemathesis" ]; then
    echo "installing aiosmtpd, openapi-spec-validator and schemathesis"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r crates/quorum-testkit/python-requirements.txt
fi

#!/usr/bin/env bash
# The whole test suite, against real Azurite started by the fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# The main job on the embedded local stack (Azurite + the Function App driven by the local Durable runner).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python -m localrun demo "$@"

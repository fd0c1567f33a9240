#!/usr/bin/env bash
# Idempotent set-up for the demo and the tests: a Python 3.11 venv with the pinned requirements, and the pinned
# Azurite from package-lock.json. Re-runs only what changed (hash stamps), so calling it every time is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
      echo "$candidate"; return 0
    fi
  done
  echo "bootstrap: Python 3.11 or 3.12 is required (azure-functions supports <3.13)" >&2
  return 1
}

python_bin=$(pick_python)
[ -x .venv/bin/python ] || "$python_bin" -m venv .venv

want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.requirements.sha 2>/dev/null || true)" != "$want" ]; then
  echo "bootstrap: installing Python requirements into .venv" >&2
  log=$(mktemp)
  if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt >"$log" 2>&1; then
    grep -v "^WARNING: Location" "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
  echo "$want" > .venv/.requirements.sha
fi

command -v npm >/dev/null 2>&1 || { echo "bootstrap: Node.js and npm are required for Azurite" >&2; exit 1; }
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.lock.sha 2>/dev/null || true)" != "$want" ]; then
  echo "bootstrap: installing Azurite (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > node_modules/.lock.sha
fi

#!/usr/bin/env bash
# Create (or update) the project-local virtual environment .venv and install stance into it.
# Idempotent: a second run only checks that nothing changed. torch is installed first, pinned,
# so nothing can resolve an unpinned torch (which would pull a multi-GB CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.stance-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,ray]"
  echo "$want" > "$stamp"
fi

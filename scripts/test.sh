#!/usr/bin/env bash
# Set up .venv, then run the linter and the test suite (offline: no model hub is reached).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export HF_HUB_OFFLINE=1
.venv/bin/ruff check stance tests benchmarks train.py
.venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# Set up .venv, then run the main job: build the data set, train, evaluate and score the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export HF_HUB_OFFLINE=1
.venv/bin/python train.py "$@"

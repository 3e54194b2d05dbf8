#!/usr/bin/env bash
# Set up (if needed) and run the main job. For now: what this machine offers, and the
# shipped seed tasks read through the data contract.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/seedling info
.venv/bin/seedling stats data/seed_tasks.jsonl

#!/usr/bin/env bash
# The README's main command: set up (if needed), then the demo run of configs/demo.yaml:
# seed tasks -> generated pairs -> curated -> tuned students -> runs/demo/report.html.
# Extra arguments go to `seedling run` (e.g. --out runs/other, --until curate).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/seedling run configs/demo.yaml "$@"

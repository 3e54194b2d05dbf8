#!/usr/bin/env bash
# Build what scripts/gpu_check.sh carries to a lent GPU machine, from this machine alone (its
# package index and caches, no network): .whl (the wheels seedling needs that such a machine lacks,
# for its python 3.12, at the versions this .venv holds), .gpu/tok (the embedded model's tokenizer)
# and .gpu/rows.jsonl (1,500 alpaca-eval-dev answers to train on, in file order). Both folders are
# local: add them to .git/info/exclude. Then call the device with carry [".whl", ".gpu"] and
# `bash scripts/gpu_check.sh 560`.
#   usage: bash scripts/gpu_carry.sh [ALPACA_EVAL_DIR]   (default ../shared/data/alpaca-eval-dev)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/alpaca-eval-dev}
packages=(trl datasets pydantic pydantic_core annotated-types typing-inspection typing_extensions rensa gguf dill
          multiprocess fsspec model2vec skeletoken usearch numkong plotly narwhals vaderSentiment duckdb starlette
          uvicorn openpyxl defusedxml et_xmlfile)
pinned=$(.venv/bin/python - "${packages[@]}" <<'PY'
import sys
from importlib.metadata import version
print(" ".join(f"{p}=={version(p)}" for p in sys.argv[1:]))
PY
)
rm -rf .whl && mkdir -p .whl .gpu
# shellcheck disable=SC2086
.venv/bin/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform any -d .whl $pinned 2> >(grep -v "is neither a file nor a directory" >&2)
tok=$(.venv/bin/python -c "from seedling.models import resolve_causal_lm; print(resolve_causal_lm(None))")
mkdir -p .gpu/tok && cp "$tok"/tokenizer.json "$tok"/tokenizer_config.json "$tok"/chat_template.jinja .gpu/tok/
.venv/bin/python - "$data/answers.jsonl.gz" .gpu/rows.jsonl <<'PY'
import gzip, json, sys
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for n, line in zip(range(1500), f):
        row = json.loads(line)
        out.write(json.dumps({"instruction": row["instruction"], "output": row["output"]}) + "\n")
PY
du -sh .whl .gpu

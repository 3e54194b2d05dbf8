"""Embedders, which curate audits with and generate chooses steered candidates with: any object
with `.encode(list[str]) -> array` works. Two ship ready:

- `static` (default): a model2vec static model distilled once, offline, from the shipped
  all-MiniLM-L6-v2 (measured: ~20 s once, then ~3,000 rows/s on ~1 KB rows, 124x MiniLM).
- `minilm`: the shipped all-MiniLM-L6-v2 through sentence-transformers (accurate, slow on long rows).

A path to a model2vec or sentence-transformers directory (or a cached hub id) works too.

The semantic threshold is a property of the model (and of the data): each shipped model carries
its own calibrated value (see `CALIBRATION`); another model gets none, and the semantic tier
then asks for one instead of borrowing a number measured on a different model.

curate reads a static model's batches faster, word by word (`curate.embedders`); the vectors
are the same up to float rounding.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from seedling.errors import SeedlingError
from seedling.formats.atomic import build_once
from seedling.hashing import weights_digest
from seedling.models import cache_dir, resolve_embedder

log = logging.getLogger(__name__)

PCA_DIMS = 256
MAX_TOKENS = 512  # a static model's text is cut here, as model2vec cuts it


@dataclass(frozen=True)
class Calibration:
    """Cosine thresholds measured for one model (method in curate/calibration.md).

    `duplicate`: a pair whose instruction, input and output are each at least this close is
    the same task. `coverage`: a reference item with a neighbour this close is covered.
    `prompts`: two prompts with no answer to back them (a pool of queries) this close are one.
    `prompt_model`: another shipped model that scores prompts alone instead (at ITS `prompts`
    threshold), this model only proposing the pairs: a static model cannot tell two questions
    about one topic that differ in one noun ("gold" / "aluminum") from a paraphrase.
    """

    duplicate: float
    coverage: float
    prompts: float | None = None  # None: `duplicate`
    prompt_model: str | None = None


CALIBRATION = {
    "static": Calibration(duplicate=0.77, coverage=0.70, prompts=0.85, prompt_model="minilm"),
    "minilm": Calibration(duplicate=0.72, coverage=0.55, prompts=0.83),
}


class Embedder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def unit_rows(vectors) -> np.ndarray:
    """float32 rows of length 1, so a dot product is a cosine; zero rows stay zero."""
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim != 2:
        raise SeedlingError(f"an embedder must return a 2-D array, got shape {v.shape}")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1, norms)


def _weights_digest(model_dir: Path) -> str:
    """Key caches on the weights' content, so a different model never reuses stale vectors."""
    return weights_digest(model_dir)[:12]


class StaticEmbedder:
    """A model2vec static model: token vectors averaged, no transformer at encode time."""

    def __init__(self, path: Path, model_id: str, calibration: Calibration | None = None):
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(str(path))
        self.model_id = model_id
        self.calibration = calibration
        self.wordwise = None  # an encoder of the same vectors that curate sets where it applies
        self.forks = False  # whether curate.parallel may encode its batches on every core

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.wordwise is not None:
            return self.wordwise.encode(list(texts), MAX_TOKENS)
        return self.model.encode(list(texts), batch_size=1024, max_length=MAX_TOKENS, show_progress_bar=False)


class SentenceTransformerEmbedder:
    """Any local sentence-transformers directory; batched, normalised."""

    def __init__(self, path: Path, model_id: str, calibration: Calibration | None = None):
        from sentence_transformers import SentenceTransformer

        from seedling.device import compute_device

        self.model = SentenceTransformer(str(path), device=compute_device(), local_files_only=True)
        self.model_id = model_id
        self.calibration = calibration

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(list(texts), batch_size=64, convert_to_numpy=True,
                                 normalize_embeddings=True, show_progress_bar=False)


def distilled_static_path() -> Path:
    """Where the static model distilled from the shipped MiniLM is cached."""
    return cache_dir() / "models" / f"m2v-all-MiniLM-L6-v2-pca{PCA_DIMS}-{_weights_digest(resolve_embedder(None))}"


def distilled_static_dir() -> Path:
    """Distil the static model from the shipped MiniLM once; later calls return the cached dir.

    Built with `build_once`, so an interrupted distillation never leaves a directory that
    looks complete.
    """
    minilm = resolve_embedder(None)
    final = distilled_static_path()

    def distil(tmp: Path) -> None:
        from model2vec.distill import distill

        log.info("distilling a static embedder from %s into %s (once, ~20-40 s)", minilm, final)
        distill(model_name=str(minilm), pca_dims=PCA_DIMS).save_pretrained(str(tmp))

    return build_once(final, "config.json", distil)


def _is_model2vec(path: Path) -> bool:
    try:
        return json.loads((path / "config.json").read_text()).get("model_type") == "model2vec"
    except (OSError, ValueError):
        return False


def load_embedder(spec: str | None = None):
    """`static` (default), `minilm`, or a local model2vec / sentence-transformers directory."""
    if spec is None or spec == "static":
        path = distilled_static_dir()
        return StaticEmbedder(path, path.name, CALIBRATION["static"])
    path = resolve_embedder(spec)
    if spec == "minilm":
        return SentenceTransformerEmbedder(path, f"all-MiniLM-L6-v2-{_weights_digest(path)}", CALIBRATION["minilm"])
    model_id = f"{path.name}-{_weights_digest(path)}"
    if _is_model2vec(path):
        return StaticEmbedder(path, model_id)
    return SentenceTransformerEmbedder(path, model_id)

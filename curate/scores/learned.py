"""The default quality score: a small linear model that predicts how a strong judge would rate
an answer, from cheap features of the row (curate/scores/features.py). It is the judge
distilled, as FineWeb-Edu's and NeMo Curator's quality classifiers are: trained once by
scripts/train_quality.py on a strong judge's verdicts on real answers of many models, shipped
as `quality_model/` (weights in safetensors, `card.json` with its data, training figures and
held-out agreement), and run at thousands of rows a second on a CPU.

Column `learned`: the predicted probability that the judge prefers this answer to a strong
model's reference answer, in (0, 1). Where the pool holds three or more answers to a prompt,
it also reads how much each agrees with the others (column `consensus`, their cosine): the
judge's favourite among similar-looking answers is more often the one that says what the
others say. It ranks answers to the same kind of task; it is not a verdict on one row alone,
so it flags nothing."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from curate.scores import features
from seedling.errors import SeedlingError
from seedling.record import Record

MODEL_DIR = Path(__file__).with_name("quality_model")
EMBEDDER = "static"  # the embedder the model was trained with; its cosine is one feature
POOL = "pool_"  # the weights of the model that also reads the answer's agreement with others
PARTIAL = "learned_pool_partial"  # cached: the pool model's raw score without its consensus term


class QualityModel:
    """The shipped weights, twice: a model of the row alone, and one that also reads how much the
    answer agrees with the other answers to its prompt (`pool_` weights, the consensus feature
    last). Each has hashed-word weights, standardised shape weights, and a logistic calibration
    from the raw score to a probability."""

    def __init__(self, directory: Path = MODEL_DIR):
        from safetensors.numpy import load_file

        weights_file, card_file = directory / "weights.safetensors", directory / "card.json"
        if not weights_file.is_file() or not card_file.is_file():
            raise SeedlingError(f"{directory}: no quality model (weights.safetensors and card.json); "
                                "build one with scripts/train_quality.py")
        self.card = json.loads(card_file.read_text(encoding="utf-8"))
        self.weights = load_file(str(weights_file))
        if (self.card.get("shape") != features.SHAPE or len(self.weights["words"]) != features.HASH_DIMS
                or "pool_words" not in self.weights):
            raise SeedlingError(f"{directory}: the model's features do not match curate/scores/features.py; "
                                "retrain it with scripts/train_quality.py")

    @staticmethod
    def raw(weights: dict[str, np.ndarray], word_matrix, shape_matrix: np.ndarray, prefix: str = "") -> np.ndarray:
        """The linear score; `shape_matrix` may lack trailing columns (they count at their mean)."""
        columns = shape_matrix.shape[1]
        shape = (shape_matrix - weights[prefix + "shape_mean"][:columns]) / weights[prefix + "shape_scale"][:columns]
        return (np.asarray(word_matrix @ weights[prefix + "words"].astype(np.float64)).ravel()
                + shape @ weights[prefix + "shape"][:columns])

    def calibrated(self, raw: np.ndarray, prefix: str = "") -> np.ndarray:
        slope, intercept = (float(x) for x in self.weights[prefix + "calibration"])
        return 1.0 / (1.0 + np.exp(-(slope * raw + intercept)))

    def probability(self, word_matrix, shape_matrix: np.ndarray) -> np.ndarray:
        return self.calibrated(self.raw(self.weights, word_matrix, shape_matrix))

    def consensus_term(self, agreement: np.ndarray) -> np.ndarray:
        """The pool model's raw-score share of the consensus feature."""
        w = self.weights
        return (agreement - w["pool_shape_mean"][-1]) / w["pool_shape_scale"][-1] * w["pool_shape"][-1]


@dataclass
class _Shared:
    """The answers of a pool that share their prompt with enough others for consensus."""
    rows: list[int]  # their places in the pool
    keys: list[str]  # their normalised prompts
    matrix: sp.csr_matrix  # their hashed words, a row each
    place: dict[str, int]  # answer text -> its row in `matrix`

    def words(self, outputs: list[str]) -> sp.csr_matrix:
        """Hashed words of `outputs`, reading the shared rows instead of hashing them again."""
        found = [self.place.get(text) for text in outputs]
        fresh = [i for i, n in enumerate(found) if n is None]
        if not fresh:
            return self.matrix[found]
        kept = [i for i, n in enumerate(found) if n is not None]
        stacked = sp.vstack([self.matrix[[found[i] for i in kept]], features.words([outputs[i] for i in fresh])])
        order = np.empty(len(outputs), dtype=np.int64)
        order[kept + fresh] = np.arange(len(outputs))
        return stacked.tocsr()[order]


class LearnedScorer:
    name = "learned"
    chunk = 8192  # rows a call: the features are batch work, and each call caches its vectors once

    def __init__(self, directory: Path = MODEL_DIR, embedder=None, cache: Path | None = None):
        self.model = QualityModel(directory)
        self._embedder = embedder
        self.cache = cache
        self._pool: _Shared | None = None

    @classmethod
    def from_options(cls, opts) -> "LearnedScorer":
        from seedling.models import cache_dir

        return cls(Path(opts.learned_model) if opts.learned_model else MODEL_DIR,
                   cache=Path(opts.cache) if opts.cache else cache_dir() / "embeddings")

    @cached_property
    def embedder(self):
        """The static embedder behind curate's embedding cache: the prompts and answers it embeds
        here are the ones curate's dedup reads back instead of embedding them again."""
        from curate.embed_cache import CachedEncoder
        from curate.embedders import load_embedder

        return CachedEncoder(self._embedder if self._embedder is not None else load_embedder(EMBEDDER), self.cache)

    def settings(self) -> dict[str, Any]:
        return {"scorer": "learned", "columns": ["learned"], "model": self.model.card["name"],
                "weights_sha256": self.model.card["weights_sha256"],
                "embedder": getattr(self.embedder.embedder, "model_id", "")}

    def see_pool(self, records: list[Record]) -> None:
        """Before scoring: find the answers whose prompt has CONSENSUS_MIN or more answers in the
        pool and hash their words once, for both their row score and their agreement (`in_pool`)."""
        from seedling.text import normalize

        key_of = {i: normalize(r.prompt) for i, r in enumerate(records) if r.output.strip()}
        counts = Counter(key_of.values())
        rows = [i for i, key in key_of.items() if counts[key] >= features.CONSENSUS_MIN]
        outputs = [records[i].output for i in rows]
        self._pool = _Shared(rows, [key_of[i] for i in rows], features.words(outputs),
                             {text: n for n, text in enumerate(outputs)})

    def score(self, records: list[Record], advance: Callable[[int], None]) -> list[dict[str, Any]]:
        """The row-alone probability, and the pool model's raw score short of its consensus term
        (kept in the cache for `in_pool`, never shown)."""
        outputs = [r.output for r in records]
        words = self._pool.words(outputs) if self._pool is not None else features.words(outputs)
        shape = features.shape_matrix([r.prompt for r in records], outputs, self.embedder)
        alone = self.model.probability(words, shape)
        partial = self.model.raw(self.model.weights, words, shape, POOL)
        advance(len(records))
        return [{"learned": round(float(v), 5) if r.output.strip() else 0.0, PARTIAL: float(p)}
                for v, p, r in zip(alone, partial, records)]

    def in_pool(self, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The values of the pool `see_pool` saw: where a prompt has CONSENSUS_MIN or more answers,
        `learned` comes from the pool model and `consensus` shows the agreement it read; elsewhere
        the row-alone value stays. Depends on the other rows, so it is computed on every run, never cached."""
        out = [{k: v for k, v in value.items() if k != PARTIAL} for value in values]
        pool, self._pool = self._pool, None
        if pool is None or not pool.rows:
            return out
        agreement = features.consensus(pool.keys, pool.matrix)
        partial = np.array([values[i][PARTIAL] for i in pool.rows])
        pooled = self.model.calibrated(partial + self.model.consensus_term(agreement), POOL)
        for i, p, a in zip(pool.rows, pooled, agreement):
            out[i].update(learned=round(float(p), 5), consensus=round(float(a), 4))
        return out

    def flags(self, value: dict[str, Any]) -> list[str]:
        return []

    def summary(self, values: list[dict[str, Any]]) -> dict[str, Any]:
        scored = np.array([v["learned"] for v in values if v.get("learned") is not None])
        card = self.model.card
        return {"model": card["name"], "trained_on": card["data"]["name"],
                "held_out_agreement": card["held_out"], "scored_rows": int(len(scored)),
                "median": round(float(np.median(scored)), 4) if len(scored) else None}

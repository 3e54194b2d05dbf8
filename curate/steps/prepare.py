"""The steps before any figure: quality checks and model scores, the embedder, and dedup."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from curate import parallel
from curate.dedup import DedupContext, DedupResult, Removal, deduplicate, keep_priority
from curate.embed_cache import CachedEncoder
from curate.embedders import load_embedder
from curate.steps import Pool
from curate.vectors import FieldVectors
from seedling import quality
from seedling.models import cache_dir

QUALITY_ROWS_A_CORE = 5000  # fewer rows than this a core are checked here: a fork costs more


@dataclass
class Scoring:
    qualities: list[float]
    flags: list[list[str]]  # each row's quality flags, then its scorers' flags
    model_scores: Any  # curate.scores.Scores
    priority: list[int]  # which row of a duplicate group is kept


class Quality:
    """Heuristic quality of every row, and the model-based scores the options turn on."""

    name = "quality"

    def run(self, pool: Pool) -> Scoring:
        from curate.scores import Scores, active, score_pool

        records, options = pool.records, pool.options
        scored = parallel.map_rows(quality.score, records, QUALITY_ROWS_A_CORE)
        qualities, flags = [q for q, _ in scored], [f for _, f in scored]
        model_scores = pool.given_scores
        if model_scores is None:
            model_scores = (score_pool(records, options) if active(options)
                            else Scores([{} for _ in records], [[] for _ in records]))
        flags = [f + extra for f, extra in zip(flags, model_scores.flags)]
        return Scoring(qualities, flags, model_scores, keep_priority(records, qualities))


@dataclass
class Embedding:
    embedder: Any
    encoder: CachedEncoder
    vectors: FieldVectors
    executor: Any  # a RayExecutor while dedup runs, else None


def _executor(executor: str, address: str | None):
    if executor != "ray":
        return None
    from curate.ray_executor import RayExecutor

    return RayExecutor(address)


class LoadEmbedder:
    name = "load_embedder"

    def run(self, pool: Pool) -> Embedding:
        options = pool.options
        embedder = pool.embedder if pool.embedder is not None else load_embedder(options.embedder)
        root = Path(options.cache) if options.cache else cache_dir() / "embeddings"
        executor = _executor(options.executor, options.ray_address)
        encoder = CachedEncoder(embedder, root, executor)
        return Embedding(embedder, encoder, FieldVectors(pool.records, encoder), executor)


@dataclass
class Pruning:
    result: DedupResult
    context: DedupContext
    dropped: list[Removal]  # below min_quality, before dedup
    removals: list[Removal]  # dropped, then dedup's
    gone: set[int]
    kept_rows: np.ndarray  # the rows neither step removed, in input order
    instructions: np.ndarray  # every row's instruction vector


def _quality_removals(qualities, flags, threshold: float) -> list[Removal]:
    return [Removal(i, "quality", None, q, f"quality {q:.2f} < {threshold}: {', '.join(flags[i]) or 'low'}")
            for i, q in enumerate(qualities) if q < threshold]


class Dedup:
    """Rows below min_quality, then the dedup tiers on the rest; the instruction vectors on the way."""

    name = "dedup"

    def run(self, pool: Pool) -> Pruning:
        records, options, scoring, embedding = pool.records, pool.options, pool.quality, pool.load_embedder
        dropped = (_quality_removals(scoring.qualities, scoring.flags, options.min_quality)
                   if options.min_quality > 0 else [])
        alive = sorted(set(range(len(records))) - {r.index for r in dropped})
        ctx = DedupContext(records, options, scoring.priority, embedding.vectors, embedding.embedder,
                           embedding.executor)
        try:
            dedup = deduplicate(ctx, options.tiers, alive)
            instr = embedding.vectors.field("instruction") if records else np.zeros((0, 1), dtype=np.float32)
        finally:
            if embedding.executor is not None:
                embedding.executor.close()
        embedding.encoder.executor = None
        removals = dropped + dedup.removals
        gone = {r.index for r in removals}
        kept_rows = np.array([i for i in range(len(records)) if i not in gone], dtype=np.int64)
        pool.timings["embed"] = embedding.vectors.seconds
        return Pruning(dedup, ctx, dropped, removals, gone, kept_rows, instr)

"""Prompts alone, scored by the shipped sentence encoder.

A pool of prompts has no answer to back a close pair, and a static model places two questions
about one topic that differ in one noun ("How is gold formed?" / "How is aluminum formed?")
as close as two paraphrases: on the Quora question pairs of the T0 dev set its precision stays
near 0.65 at every threshold, where MiniLM, which reads each word in its sentence, reaches
0.85. When the embedder's calibration names a `prompt_model` (the static model names MiniLM),
the static vectors only propose pairs (each row's nearest rows, every compared field at least
CANDIDATE alike); the rows of those pairs alone are encoded by the prompt model, through the
same disk cache, and its cosines score the pairs against its own calibrated prompt threshold,
raised to its data floor measured on a sample of the compared rows.

Only pools of short prompts (queries, seed instructions: a median of at most SHORT_WORDS
words) are scored so. Long templated prompts (a passage and a question) are what the near
tier and the content-word checks decide, MiniLM reads them at ~25 rows/s on two cores against
the static model's thousands, and a noun swapped in a long prompt moves neither model much:
1,000 T0 dev prompts took 335 s with MiniLM instead of 6.6 s, with the same 160 removals.
"""

from __future__ import annotations

import functools

import numpy as np

from curate.embed_cache import CachedEncoder
from curate.embedders import load_embedder
from curate.vectors import FieldVectors

CANDIDATE = 0.70  # static cosine: of the Quora pairs MiniLM scores >= 0.83, 70 of 71 reach it
FLOOR_ROWS = 1000  # rows the prompt model encodes for its data floor, beside the candidates
SHORT_WORDS = 40


@functools.cache
def _load(spec: str):
    return load_embedder(spec)


def prompt_model(ctx, rows: np.ndarray):
    """The model that scores these prompts alone for this embedder, or None: the embedder itself
    (it names none, or the prompts are long)."""
    spec = getattr(getattr(ctx.embedder, "calibration", None), "prompt_model", None)
    if not spec or not len(rows) or np.median(np.diff(ctx.anatomy.offsets)[rows]) > SHORT_WORDS:
        return None
    return _load(spec)


def proposed(scored: list[dict[str, float]], i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs whose every compared field reaches CANDIDATE on the proposing model."""
    keep = np.array([min(parts.values(), default=0.0) >= CANDIDATE for parts in scored], dtype=bool)
    return i[keep], j[keep]


def encoded_rows(ctx, model, rows: np.ndarray, i: np.ndarray, j: np.ndarray, seed: int = 0):
    """(field vectors of `model` over the dataset, rows to encode, the floor's sample): the rows
    of the proposed pairs and a random sample of the compared rows, whose random pairs give
    the data floor."""
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(rows, min(FLOOR_ROWS, len(rows)), replace=False))
    root = ctx.vectors.encoder.dir.parent if ctx.vectors.encoder.dir is not None else None
    return FieldVectors(ctx.records, CachedEncoder(model, root)), np.union1d(np.union1d(i, j), sample), sample

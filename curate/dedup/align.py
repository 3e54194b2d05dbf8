"""Two prompts side by side, for many pairs at once: what they share (a passage: a run of at
least CONTEXT_WORDS words whose 3-grams follow each other in the same order in both), and what
each has that the other lacks beside it, inside and outside template wording.

Tens of thousands of pairs reach this on a real set. Each pair is measured both ways (a
against b, b against a: a "directed pair") in a compiled loop (`aligner.py`); a directed
pair's word and gram flags are one segment of two flat arrays, which the Briefs view."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from curate.dedup.aligner import align_pairs
from curate.dedup.prompts import CONTEXT_WORDS, Anatomy

BATCH = 512  # pairs aligned at once
ROW_BITS = 32  # a pair's key: its low row above, its high row below


class Brief:
    """One prompt measured against the other: the words only it has, outside and inside
    template wording (beside the passage, a word counts as shared only with what the other
    prompt has beside its passage: a question quoting the passage still differs), and its
    longest run of words the other holds in the same order. A plain class with slots: a batch
    makes two a pair, and a dataclass's frozen init cost more than the alignment."""

    __slots__ = ("context_run", "substantive", "templated")

    def __init__(self, substantive: int, templated: int, context_run: int):
        self.substantive, self.templated, self.context_run = substantive, templated, context_run

    @property
    def measures(self) -> tuple[int, int, int]:
        """(substantive, templated, context_run)."""
        return self.substantive, self.templated, self.context_run


class Beside(NamedTuple):
    """What two prompts share outside a passage both hold (everything, when they share none)."""

    rest_jaccard: float  # of their 3-grams outside the passage
    word_jaccard: float  # of their words beside a shared passage, else of all their words
    words_differ: int  # of those words, how many one prompt has and the other lacks


class Known:
    """The measures of pairs aligned once, so that a later tier judging the same pair reads them
    instead of aligning it again (the semantic tier meets most of the near tier's aligned pairs).
    A sorted array of pair keys (low row, high row) and one row of six ints a pair, not a dict of
    objects, so that millions of pairs stay small."""

    def __init__(self, keys: np.ndarray | None = None, values: np.ndarray | None = None):
        self.keys = np.zeros(0, np.int64) if keys is None else keys
        self.values = np.zeros((0, 6), np.int64) if values is None else values

    @classmethod
    def of(cls, measured: list[tuple[int, int, tuple, tuple]]) -> Known:
        """From (i, j, a's measures, b's measures) of aligned pairs."""
        if not measured:
            return cls()
        i, j, a, b = (np.array(x, dtype=np.int64) for x in zip(*measured))
        flip = (i > j)[:, None]
        low, high = np.minimum(i, j), np.maximum(i, j)
        return cls._sorted((low << ROW_BITS) | high, np.hstack((np.where(flip, b, a), np.where(flip, a, b))))

    @classmethod
    def merged(cls, parts: list[Known]) -> Known:
        return cls._sorted(np.concatenate([p.keys for p in parts] or [np.zeros(0, np.int64)]),
                           np.concatenate([p.values for p in parts] or [np.zeros((0, 6), np.int64)]))

    @classmethod
    def _sorted(cls, keys: np.ndarray, values: np.ndarray) -> Known:
        keys, first = np.unique(keys, return_index=True)
        return cls(keys, values[first])

    def find(self, first: list[int], second: list[int]) -> list[tuple[Brief, Brief] | None]:
        """Per pair (first[k], second[k]): its two Briefs (measures only), or None if not known."""
        i, j = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
        key = (np.minimum(i, j) << ROW_BITS) | np.maximum(i, j)
        at = np.minimum(np.searchsorted(self.keys, key), max(len(self.keys) - 1, 0))
        found = (self.keys[at] == key) if len(self.keys) else np.zeros(len(key), dtype=bool)
        out: list[tuple[Brief, Brief] | None] = [None] * len(key)
        for k in np.flatnonzero(found).tolist():
            low, high = (Brief(*m) for m in (self.values[at[k], :3].tolist(),
                                                         self.values[at[k], 3:].tolist()))
            out[k] = (low, high) if first[k] < second[k] else (high, low)
        return out

    def briefs(self, anatomy: Anatomy, first: list[int], second: list[int]) -> list[tuple[Brief, Brief]]:
        """Per pair: its two Briefs, read where known, else aligned (the new pairs together)."""
        out = self.find(first, second)
        new = [k for k, found in enumerate(out) if found is None]
        for k, (sa, sb, _, _) in zip(new, aligned(anatomy, [first[k] for k in new], [second[k] for k in new])):
            out[k] = (sa, sb)
        return out


def aligned(anatomy: Anatomy, first: list[int], second: list[int]) -> Iterator[tuple[Brief, Brief, float, Beside]]:
    """`briefs` of each pair (first[k], second[k]) in order, aligned BATCH pairs at a time."""
    for start in range(0, len(first), BATCH):
        yield from briefs(anatomy, np.array(first[start:start + BATCH], dtype=np.int64),
                          np.array(second[start:start + BATCH], dtype=np.int64))


def briefs(anatomy: Anatomy, first: np.ndarray, second: np.ndarray) -> list[tuple[Brief, Brief, float, Beside]]:
    """(Brief a, Brief b, 3-gram Jaccard of the prompts, Beside) of each pair (first[k], second[k])."""
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    if not len(first):
        return []
    measures, scores, beside = np.zeros((len(first), 6), dtype=np.int64), np.zeros(len(first)), np.zeros((len(first), 3))
    align_pairs(anatomy.tokens, anatomy.offsets, anatomy.boilerplate, first, second, CONTEXT_WORDS, measures, scores,
                beside)
    return [(Brief(*m[:3]), Brief(*m[3:]), score, Beside(rest, words, int(differ)))
            for m, score, (rest, words, differ) in zip(measures.tolist(), scores.tolist(), beside.tolist())]

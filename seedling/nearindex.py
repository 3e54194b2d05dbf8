"""One near-duplicate index for every stage: MinHash LSH (rensa) proposes, exact Jaccard confirms.

LSH answers "which stored sets may be this similar?" in near-constant time, so a check does
not grow with the pool; the proposals are then scored on the exact shingle sets, so the
decision never rests on an estimate. Callers choose the shingles (word 3-grams, token sets)
and, where they confirm by another measure (ROUGE-L), use the proposals alone.
"""

from __future__ import annotations

from typing import Hashable, Iterable

import numpy as np

from seedling.distinct import distinct
from seedling.text import jaccard

NUM_PERM = 128
SEED = 42
BLOCK = 20_000  # signatures turned into one uint32 array at a time


def bands_for(threshold: float, num_perm: int = NUM_PERM, recall: float = 0.99) -> int:
    """Most rows per band (fewest false proposals) that still propose a pair at `threshold`
    with probability >= `recall`."""
    for rows in (8, 4, 2):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            return bands
    return num_perm


class NearIndex:
    """Sets of shingles under keys. An empty set is never stored nor proposed: it carries no
    evidence that two rows are the same."""

    def __init__(self, threshold: float, num_bands: int | None = None, num_perm: int = NUM_PERM):
        from rensa import RMinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        bands = num_bands if num_bands is not None else bands_for(threshold, num_perm)
        self._lsh = RMinHashLSH(threshold=threshold, num_perm=num_perm, num_bands=bands)
        self._keys: list[Hashable] = []
        self._sets: list[frozenset[str]] = []
        self._last: tuple[frozenset[str], object] | None = None  # a queried set is often inserted next

    def __len__(self) -> int:
        return len(self._sets)

    def _minhash(self, shingles: frozenset[str]):
        if self._last is not None and self._last[0] == shingles:
            return self._last[1]
        from rensa import RMinHash

        m = RMinHash(num_perm=self.num_perm, seed=SEED)
        m.update(sorted(shingles))
        self._last = (shingles, m)
        return m

    def insert(self, key: Hashable, shingles: Iterable[str]) -> None:
        s = frozenset(shingles)
        if not s:
            return
        self._lsh.insert(len(self._sets), self._minhash(s))
        self._keys.append(key)
        self._sets.append(s)

    def query(self, shingles: Iterable[str]) -> list[Hashable]:
        """Proposed keys, in insertion order (unconfirmed)."""
        s = frozenset(shingles)
        if not s:
            return []
        return [self._keys[i] for i in sorted(self._lsh.query(self._minhash(s)))]

    def near(self, shingles: Iterable[str], threshold: float | None = None) -> list[tuple[Hashable, float]]:
        """Confirmed keys with their exact Jaccard >= threshold, best first (ties: inserted first)."""
        s = frozenset(shingles)
        if not s:
            return []
        limit = self.threshold if threshold is None else threshold
        scored = [(i, jaccard(s, self._sets[i])) for i in self._lsh.query(self._minhash(s))]
        return [(self._keys[i], score) for i, score in sorted(scored, key=lambda p: (-p[1], p[0])) if score >= limit]


def signatures(sets: Iterable[Iterable[str]], num_perm: int = NUM_PERM) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the non-empty sets and their MinHash signatures (rensa, one uint32 row
    each), as NearIndex computes them."""
    from rensa import RMinHash

    blocks, batch, present = [], [], []
    for pos, shingles in enumerate(sets):
        s = sorted(set(shingles))
        if s:
            m = RMinHash(num_perm=num_perm, seed=SEED)
            m.update(s)
            batch.append(m.digest())
            present.append(pos)
        if len(batch) == BLOCK:
            blocks.append(np.array(batch, dtype=np.uint32))
            batch = []
    blocks.append(np.array(batch, dtype=np.uint32).reshape(len(batch), num_perm))
    return np.array(present, dtype=np.int64), np.concatenate(blocks)


def candidate_pairs(sets: Iterable[Iterable[str]], num_bands: int, num_perm: int = NUM_PERM,
                    signed: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """What a NearIndex proposes when each set is queried and then inserted, one after the
    other, for a whole dataset at once: every pair of positions (i < j) whose MinHash
    signatures agree on a whole band, ordered by j, then i. Signatures are bucketed with
    numpy, so no Python object per set is kept. Empty sets are never proposed. `signed`:
    `signatures(sets)` computed elsewhere (on a Ray cluster), in which case `sets` is not read."""
    where, matrix = signed if signed is not None else signatures(sets, num_perm)
    rows = num_perm // num_bands
    if len(where) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    n = int(where[-1]) + 1
    codes = []
    for band in range(num_bands):
        order, same = _grouped(_packed(matrix[:, band * rows:(band + 1) * rows]))
        codes.extend(_bucket_pairs(where[order], same, n))
    if not codes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    pairs = distinct(np.concatenate(codes))  # j * n + i: sorted by j, then i
    return pairs % n, pairs // n


def _grouped(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """An order of the rows that puts equal keys next to each other, and per row in it whether
    it equals the next. One sort by a hash of the keys (lexsort's stable sorts, one a key, cost
    more); where two different keys share a hash, the lexsort."""
    mixed = keys[0]
    for key in keys[1:]:
        mixed = (mixed * np.uint64(0x9E3779B97F4A7C15)) ^ key
    order = np.argsort(mixed)
    same, ranked = _equal_next(keys, order), mixed[order]
    if (same != (ranked[1:] == ranked[:-1])).any():
        order = np.lexsort(keys[::-1])
        same = _equal_next(keys, order)
    return order, same


def _equal_next(keys: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    same = np.ones(len(order) - 1, dtype=bool)
    for key in keys:
        ranked = key[order]
        same &= ranked[1:] == ranked[:-1]
    return same


def _packed(band: np.ndarray) -> list[np.ndarray]:
    """A band's uint32 columns two to a uint64 key, in order: sorting by the keys orders the rows as
    sorting by the columns would, and a sort over half the keys takes half the time."""
    cols = [band[:, c].astype(np.uint64) for c in range(band.shape[1])]
    return [(cols[c] << np.uint64(32)) | cols[c + 1] if c + 1 < len(cols) else cols[c] for c in range(0, len(cols), 2)]


def _bucket_pairs(members: np.ndarray, same: np.ndarray, n: int) -> list[np.ndarray]:
    """Codes j * n + i (i < j) of every pair inside each run of equal keys."""
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    sizes = np.diff(np.append(starts, len(members)))
    out = []
    two = starts[sizes == 2]
    if len(two):
        a, b = members[two], members[two + 1]
        out.append(np.maximum(a, b) * n + np.minimum(a, b))
    for size in np.unique(sizes[sizes > 2]).tolist():  # all runs of one size at once
        at = starts[sizes == size]
        group = np.sort(members[at[:, None] + np.arange(size)], axis=1)
        i, j = np.triu_indices(size, 1)
        out.append((group[:, j] * n + group[:, i]).reshape(-1))
    return out

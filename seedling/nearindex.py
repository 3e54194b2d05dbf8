"""One near-duplicate index for every stage: MinHash LSH (rensa) proposes, exact Jaccard confirms.

LSH answers "which stored sets may be this similar?" in near-constant time, so a check does
not grow with the pool; the proposals are then scored on the exact shingle sets, so the
decision never rests on an estimate. Callers choose the shingles (word 3-grams, token sets)
and, where they confirm by another measure (ROUGE-L), use the proposals alone.
"""

from __future__ import annotations

from typing import Hashable, Iterable

from seedling.text import jaccard

NUM_PERM = 128
SEED = 42


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

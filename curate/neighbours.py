"""Nearest neighbours of unit vectors: exact blocks below a few thousand rows, a usearch HNSW
index above (an all-pairs matrix grows with n^2; the index with n log n). Similarities of the
pairs found are recomputed exactly, so the index only decides which pairs get looked at."""

from __future__ import annotations

import os

import numpy as np

from curate.vectors import pair_cosines

EXACT_BELOW = 5000
BLOCK = 2048


def _exact(x: np.ndarray, k: int) -> np.ndarray:
    n = len(x)
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, BLOCK):
        sims = x[start:start + BLOCK] @ x.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < n else np.argsort(-sims, axis=1)[:, :k]
        out[start:start + BLOCK] = part
    return out


def _ann(x: np.ndarray, k: int, threads: int) -> np.ndarray:
    from usearch.index import Index

    index = Index(ndim=x.shape[1], metric="cos", dtype="f16", connectivity=16,
                  expansion_add=64, expansion_search=max(32, 2 * k))
    index.add(np.arange(len(x)), x, threads=threads)
    found = index.search(x, k + 1, threads=threads).keys
    out = np.empty((len(x), k), dtype=np.int64)
    for i, row in enumerate(found):
        others = [j for j in row.tolist() if j != i and 0 <= j < len(x)][:k]
        out[i] = others + [i] * (k - len(others))
    return out


def neighbour_pairs(x: np.ndarray, k: int = 10, threads: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique pairs (i < j) among each row's k nearest, with their exact cosine similarity."""
    n = len(x)
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    k = min(k, n - 1)
    nbrs = _exact(x, k) if n < EXACT_BELOW else _ann(x, k, threads or len(os.sched_getaffinity(0)))
    i = np.repeat(np.arange(n), k)
    j = nbrs.reshape(-1)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keep = lo != hi
    pairs = np.unique(np.stack([lo[keep], hi[keep]], axis=1), axis=0)
    sims = pair_cosines(x, pairs[:, 0], pairs[:, 1])
    return pairs[:, 0], pairs[:, 1], sims


class GrowingIndex:
    """The nearest member of a growing set of unit vectors (selection's chosen rows): exact
    blocks (one BLAS product per block of queries) below `exact_below` members, a usearch HNSW
    index above, which then takes each added batch. The similarity of the member found is
    always recomputed exactly; memory is one block of queries x members, never a full matrix.
    Exact stays far longer here than for a whole pool: queries come in blocks against a set
    that starts empty, and on 2 shared AVX2 cores HNSW inserts of 256-d vectors cost 0.5-0.8 ms
    each, so selecting 30K of 100K random vectors took 76 s through usearch (switching at 20K)
    against 10 s with exact blocks (bench/selection.py)."""

    def __init__(self, vectors: np.ndarray, threads: int = 0, exact_below: int = 50_000):
        self.vectors = vectors  # the whole pool; members are given by row number
        self.threads = threads or len(os.sched_getaffinity(0))
        self.exact_below = exact_below
        self.members: list[int] = []
        self._matrix = np.zeros((0, vectors.shape[1]), dtype=np.float32)  # members' vectors, grown by doubling
        self._index = None

    def __len__(self) -> int:
        return len(self.members)

    def add(self, rows) -> None:
        rows = [int(r) for r in rows]
        if not rows:
            return
        self.members.extend(rows)
        if self._index is None and len(self.members) >= self.exact_below:
            from usearch.index import Index

            self._index = Index(ndim=self.vectors.shape[1], metric="cos", dtype="f32", connectivity=16,
                                expansion_add=64, expansion_search=64)
            rows = self.members
            self._matrix = np.zeros((0, self.vectors.shape[1]), dtype=np.float32)
        if self._index is not None:
            keys = np.asarray(rows, dtype=np.int64)
            self._index.add(keys, self.vectors[keys], threads=self.threads)
            return
        n = len(self.members)
        if n > len(self._matrix):
            grown = np.zeros((max(n, 2 * len(self._matrix), 1024), self.vectors.shape[1]), dtype=np.float32)
            grown[: n - len(rows)] = self._matrix[: n - len(rows)]
            self._matrix = grown
        self._matrix[n - len(rows): n] = self.vectors[rows]

    def nearest(self, rows: np.ndarray, k: int = 4) -> tuple[np.ndarray, np.ndarray]:
        """For each query row, the closest member other than itself and that cosine
        (-1 and -inf when there is none)."""
        rows = np.asarray(rows, dtype=np.int64)
        best = np.full(len(rows), -1, dtype=np.int64)
        sims = np.full(len(rows), -np.inf, dtype=np.float32)
        if not self.members or not len(rows):
            return best, sims
        if self._index is None:
            members = np.asarray(self.members, dtype=np.int64)
            matrix = self._matrix[: len(members)]
            for start in range(0, len(rows), BLOCK):
                part = rows[start:start + BLOCK]
                block = self.vectors[part] @ matrix.T
                block[part[:, None] == members[None, :]] = -np.inf
                top = block.argmax(axis=1)
                best[start:start + BLOCK] = members[top]
                sims[start:start + BLOCK] = block[np.arange(len(top)), top]
            best[~np.isfinite(sims)] = -1
            return best, sims
        queries = self.vectors[rows]
        found = self._index.search(queries, min(k + 1, len(self.members)), threads=self.threads).keys
        found = np.atleast_2d(found).astype(np.int64)
        valid = (found >= 0) & (found < len(self.vectors)) & (found != rows[:, None])
        cand = np.where(valid, found, 0)
        exact = np.einsum("qd,qkd->qk", queries, self.vectors[cand])
        exact[~valid] = -np.inf
        top = exact.argmax(axis=1)
        sims = exact[np.arange(len(rows)), top].astype(np.float32)
        best = np.where(np.isfinite(sims), cand[np.arange(len(rows)), top], -1)
        return best, sims

"""Nearest neighbours of unit vectors: exact blocks below a few thousand rows, a usearch HNSW
index above (an all-pairs matrix grows with n^2; the index with n log n). Similarities of the
pairs found are recomputed exactly, so the index only decides which pairs get looked at."""

from __future__ import annotations

import os

import numpy as np

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
    sims = np.einsum("ij,ij->i", x[pairs[:, 0]], x[pairs[:, 1]])
    return pairs[:, 0], pairs[:, 1], sims

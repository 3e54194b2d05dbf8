"""Diversity scores: mean pairwise cosine distance and Vendi score on a sample, distinct-n on all.

Vendi = exp(entropy of the eigenvalues of K/m), K the cosine similarity matrix of m rows: the
effective number of distinct items (1 when all are the same, m when all are orthogonal). K/m =
X X^T/m has the same non-zero eigenvalues as X^T X/m, which is only d x d, so that is decomposed.
"""

from __future__ import annotations

from array import array

import numpy as np

from seedling.text import words


def sample_rows(n: int, m: int, seed: int = 0) -> np.ndarray:
    if n <= m:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, m, replace=False))


def pairwise(x, m: int, among: np.ndarray | None = None) -> dict:
    """`among`: the rows of x to measure (all when None); a sample of m of them is read."""
    rows = sample_rows(len(x) if among is None else len(among), m)
    rows = rows if among is None else among[rows]
    if len(rows) < 2:
        return {"sampled": int(len(rows)), "mean_cosine_distance": None, "vendi": float(len(rows)) or None}
    s = x[rows]
    k = s @ s.T
    off = k[~np.eye(len(rows), dtype=bool)]
    gram = s.T @ s if s.shape[1] < len(rows) else k
    eig = np.clip(np.linalg.eigvalsh(gram.astype(np.float64) / len(rows)), 0, None)
    eig = eig[eig > 1e-12]
    vendi = float(np.exp(-np.sum(eig * np.log(eig))))
    return {"sampled": int(len(rows)), "mean_cosine_distance": round(float(1 - off.mean()), 4),
            "vendi": round(vendi, 2), "vendi_per_row": round(vendi / len(rows), 4)}


def distinct_n(texts: list[str], among=None, n_max: int = 3) -> dict:
    """Distinct word n-grams over all n-grams, for n = 1..n_max, of `texts` (or of those at the
    positions `among`). Words become ids and an n-gram one row of ids, counted with numpy, so
    no tuple per n-gram is built."""
    vocab: dict[str, int] = {}
    ids, offsets = array("i"), array("q", [0])
    for i in range(len(texts)) if among is None else np.asarray(among).tolist():
        ids.extend([vocab.setdefault(w, len(vocab)) for w in words(texts[i])])
        offsets.append(len(ids))
    ids_, offs = np.frombuffer(ids, dtype=np.int32).astype(np.int64), np.frombuffer(offsets, dtype=np.int64)
    out = {}
    for n in range(1, n_max + 1):
        starts = np.arange(len(ids_) - n + 1) if len(ids_) >= n else np.zeros(0, dtype=np.int64)
        row_end = offs[np.searchsorted(offs, starts, side="right")] if len(starts) else starts
        starts = starts[starts + n <= row_end]  # n-grams inside one text
        out[f"distinct_{n}"] = round(_distinct(ids_, starts, n) / len(starts), 4) if len(starts) else 0.0
    return out


def _distinct(ids: np.ndarray, starts: np.ndarray, n: int) -> int:
    if int(ids.max()) < 1 << (63 // n):  # n ids fit in one int64
        packed = np.zeros(len(starts), dtype=np.int64)
        for k in range(n):
            packed = (packed << (63 // n)) | ids[starts + k]
        return len(np.unique(packed))
    return len(np.unique(np.stack([ids[starts + k] for k in range(n)], axis=1), axis=0))

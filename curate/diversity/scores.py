"""Diversity scores: mean pairwise cosine distance and Vendi score on a sample, distinct-n on all.

Vendi = exp(entropy of the eigenvalues of K/m), K the cosine similarity matrix of m rows: the
effective number of distinct items (1 when all are the same, m when all are orthogonal). K/m =
X X^T/m has the same non-zero eigenvalues as X^T X/m, which is only d x d, so that is decomposed.
"""

from __future__ import annotations

import numpy as np

from seedling.text import words


def sample_rows(n: int, m: int, seed: int = 0) -> np.ndarray:
    if n <= m:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, m, replace=False))


def pairwise(x: np.ndarray, m: int) -> dict:
    rows = sample_rows(len(x), m)
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


def distinct_n(texts: list[str], n_max: int = 3) -> dict:
    out = {}
    tokenized = [words(t) for t in texts]
    for n in range(1, n_max + 1):
        grams = [tuple(ws[i:i + n]) for ws in tokenized for i in range(len(ws) - n + 1)]
        out[f"distinct_{n}"] = round(len(set(grams)) / len(grams), 4) if grams else 0.0
    return out

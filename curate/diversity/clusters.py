"""Clusters of the instruction embeddings, labelled by their most distinctive terms.

k rule: k = round(sqrt(n / 2)), at least 2 and at most 30 (a page a person can read), and
below n. Sparse clusters hold under a quarter of the mean size, over-full ones over three times.
"""

from __future__ import annotations

import math

import numpy as np

MAX_K = 30
K_RULE = "k = round(sqrt(n/2)), clamped to [2, 30] and below n"


def choose_k(n: int) -> int:
    return max(0, min(MAX_K, max(2, round(math.sqrt(n / 2))), n - 1)) if n >= 3 else 0


def assign(x: np.ndarray, k: int) -> np.ndarray:
    if k < 2:
        return np.zeros(len(x), dtype=np.int64)
    from sklearn.cluster import KMeans, MiniBatchKMeans

    model = (KMeans(k, n_init=2, random_state=0) if len(x) <= 5000
             else MiniBatchKMeans(k, n_init=3, random_state=0, batch_size=4096))
    return model.fit_predict(x).astype(np.int64)


def top_terms(texts: list[str], labels: np.ndarray, k: int, n_terms: int = 4) -> list[list[str]]:
    """Class-based TF-IDF: terms frequent in one cluster and rare in the others."""
    from sklearn.feature_extraction.text import CountVectorizer

    if k == 0 or not texts:
        return []
    try:
        counts = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{2,}\b").fit(texts)
    except ValueError:
        return [[] for _ in range(max(k, 1))]
    matrix = counts.transform(texts)
    vocab = np.array(counts.get_feature_names_out())
    per_cluster = np.vstack([np.asarray(matrix[labels == c].sum(axis=0)).ravel() for c in range(max(k, 1))])
    tf = per_cluster / np.maximum(per_cluster.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + per_cluster.sum(axis=1).mean() / np.maximum(per_cluster.sum(axis=0), 1))
    scores = tf * idf
    return [[str(vocab[t]) for t in np.argsort(-row)[:n_terms] if row[t] > 0] for row in scores]


def summarize(x: np.ndarray, texts: list[str], k: int | None = None) -> dict:
    n = len(x)
    k = min(k, n) if k else choose_k(n)
    labels = assign(x, k) if n else np.zeros(0, dtype=np.int64)
    k = max(k, 1) if n else 0
    sizes = np.bincount(labels, minlength=k) if n else np.zeros(0, dtype=np.int64)
    terms = top_terms(texts, labels, k)
    mean = n / k if k else 0
    clusters = [{
        "cluster": c, "size": int(sizes[c]), "share": round(sizes[c] / n, 4) if n else 0.0,
        "label": terms[c] if c < len(terms) else [],
        "flag": "sparse" if sizes[c] < 0.25 * mean else "over-full" if sizes[c] > 3 * mean else "",
        "examples": [texts[i][:120] for i in np.flatnonzero(labels == c)[:3]],
    } for c in range(k)]
    top3 = sorted(sizes.tolist(), reverse=True)[:3]
    return {"k": k, "k_rule": K_RULE if k == choose_k(n) or n < 3 else "given", "labels": labels,
            "clusters": clusters, "largest_3_share": round(sum(top3) / n, 4) if n else 0.0,
            "entropy": size_entropy(sizes)}


def size_entropy(sizes: np.ndarray) -> float | None:
    """Shannon entropy of the cluster shares over its maximum, log k: 1 when every cluster is
    the same size, near 0 when one cluster holds nearly everything."""
    if len(sizes) < 2 or sizes.sum() == 0:
        return None
    p = sizes[sizes > 0] / sizes.sum()
    return round(float(-(p * np.log(p)).sum() / math.log(len(sizes))), 4)


def projection(x: np.ndarray, limit: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """2-D PCA of a sample, for the cluster map; returns (row indices, coordinates)."""
    rows = np.arange(len(x))
    if len(x) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(len(x), limit, replace=False))
    if len(rows) < 3:
        return rows, np.zeros((len(rows), 2))
    from sklearn.decomposition import PCA

    return rows, PCA(2, random_state=seed).fit_transform(x[rows])

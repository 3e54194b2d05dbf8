"""Clusters of the instruction embeddings, labelled by their most distinctive terms.

k rule: k = round(sqrt(n / 2)), at least 2 and at most 30 (a page a person can read), and
below n. Sparse clusters hold under a quarter of the mean size, over-full ones over three times.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from curate import parallel

MAX_K = 30
FIT_SAMPLE = 50_000  # above this many rows k-means is fitted on a sample of this many
TERM_SAMPLE = 200_000  # above this many rows the labels' terms are counted on a sample of this many
TERM_FLOOR = 100  # a cluster with fewer rows in that sample is counted whole
BLOCK = 65_536
ROWS_A_CORE = 5000  # fewer texts than this a core are counted here: a fork costs more
K_RULE = "k = round(sqrt(n/2)), clamped to [2, 30] and below n"


def choose_k(n: int) -> int:
    return max(0, min(MAX_K, max(2, round(math.sqrt(n / 2))), n - 1)) if n >= 3 else 0


def assign(x, k: int) -> np.ndarray:
    """k-means labels of the rows of `x` (an array, or UnitRows read block by block). Up to
    FIT_SAMPLE rows the model is fitted on all of them; above, on a seeded sample of FIT_SAMPLE
    rows, and every row is then given its nearest centre a block at a time, so neither the fit's
    time nor its memory grows with the data (mini-batch k-means samples anyway)."""
    if k < 2:
        return np.zeros(len(x), dtype=np.int64)
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if len(x) <= 5000:
        return KMeans(k, n_init=2, random_state=0).fit_predict(np.asarray(x)).astype(np.int64)
    model = MiniBatchKMeans(k, n_init=3, random_state=0, batch_size=4096)
    if len(x) <= FIT_SAMPLE:
        return model.fit_predict(np.asarray(x)).astype(np.int64)
    sample = np.sort(np.random.default_rng(0).choice(len(x), FIT_SAMPLE, replace=False))
    model.fit(x[sample])
    labels = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), BLOCK):
        labels[start:start + BLOCK] = model.predict(x[start:start + BLOCK])
    return labels


def top_terms(texts: list[str], labels: np.ndarray, k: int, n_terms: int = 4) -> list[list[str]]:
    """Class-based TF-IDF: terms frequent in one cluster and rare in the others. Term counts are
    summed per cluster as the texts stream by (k x vocabulary, never a rows x terms matrix; the
    texts spread over the cores), with scikit-learn's analyzer and its sorted vocabulary. Above
    TERM_SAMPLE texts a seeded sample of them is counted (`_term_rows`): a cluster's most
    distinctive terms stand out in 200K rows as in all of them, and counting was most of this step."""
    if k == 0 or not texts:
        return []
    if len(texts) > TERM_SAMPLE:
        rows = _term_rows(labels)
        texts, labels = [texts[i] for i in rows.tolist()], labels[rows]
    labels = labels.tolist()
    counted = [Counter() for _ in range(max(k, 1))]
    for part in parallel.chunks(lambda start, stop: _term_counts(texts[start:stop], labels[start:stop], len(counted)),
                                len(texts), ROWS_A_CORE):
        for total, counts in zip(counted, part):
            total.update(counts)
    vocab = sorted(set().union(*counted))
    if not vocab:
        return [[] for _ in range(max(k, 1))]
    column = {w: j for j, w in enumerate(vocab)}
    per_cluster = np.zeros((len(counted), len(vocab)), dtype=np.int64)
    for row, c in zip(per_cluster, counted):
        row[[column[w] for w in c]] = list(c.values())
    tf = per_cluster / np.maximum(per_cluster.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + per_cluster.sum(axis=1).mean() / np.maximum(per_cluster.sum(axis=0), 1))
    scores = tf * idf
    return [[vocab[t] for t in np.argsort(-row)[:n_terms] if row[t] > 0] for row in scores]


def _term_rows(labels: np.ndarray) -> np.ndarray:
    """A seeded sample of TERM_SAMPLE rows, with every row of a cluster the sample holds fewer than
    TERM_FLOOR rows of, so a small cluster is labelled from all it has."""
    rows = np.random.default_rng(0).choice(len(labels), TERM_SAMPLE, replace=False)
    few = np.flatnonzero(np.bincount(labels[rows], minlength=int(labels.max()) + 1) < TERM_FLOOR)
    return np.union1d(rows, np.flatnonzero(np.isin(labels, few)))


def _term_counts(texts: list[str], labels: list[int], k: int) -> list[Counter]:
    """Each cluster's term counts over these texts."""
    from sklearn.feature_extraction.text import CountVectorizer

    analyze = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{2,}\b").build_analyzer()
    counted = [Counter() for _ in range(k)]
    for text, label in zip(texts, labels):
        counted[label].update(analyze(text))
    return counted


def summarize(x, texts: list[str], k: int | None = None) -> dict:
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

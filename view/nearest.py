"""A row's nearest rows by instruction, found when the row is opened: an exact search over
curate's vectors.npy (float16, memory-mapped) with usearch's SIMD kernels. Over 1M rows of 256
dimensions one search took 67 ms on 2 cores, so nothing is built for the view beforehand (an
HNSW index over 1M rows would take minutes to build; every row's neighbours, longer)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from usearch.index import MetricKind, search

SHOWN = 8


class Nearest:
    def __init__(self, path: Path):
        vectors = np.load(path, mmap_mode="r") if path.exists() else None
        self.vectors = vectors if vectors is not None and vectors.ndim == 2 and vectors.shape[1] else None
        self.threads = len(os.sched_getaffinity(0))

    def of(self, row: int, k: int = SHOWN) -> list[tuple[int, float]]:
        """The `k` input rows nearest to input row `row`, with their cosines, closest first."""
        if self.vectors is None or not 0 <= row < len(self.vectors) or len(self.vectors) < 2:
            return []
        query = np.asarray(self.vectors[row])
        if not query.any():  # an empty instruction is like nothing
            return []
        found = search(self.vectors, query, min(k + 1, len(self.vectors)), MetricKind.Cos, exact=True,
                       threads=self.threads)
        pairs = [(int(key), 1.0 - float(d)) for key, d in zip(found.keys, found.distances)]
        return [(key, round(cos, 4)) for key, cos in pairs if key != row and np.isfinite(cos)][:k]

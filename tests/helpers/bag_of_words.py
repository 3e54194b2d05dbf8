"""A stand-in embedder for curate tests: hashed word counts, enough to tell copies from distinct rows."""

from __future__ import annotations

import zlib

import numpy as np

from seedling.text import words


class BagOfWords:
    model_id = "bow-test"

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), 512), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in words(t):
                out[i, zlib.crc32(w.encode()) % 512] += 1
        return out

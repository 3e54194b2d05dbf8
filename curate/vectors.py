"""Embeddings of each row's instruction, input and output, computed once (through the disk
cache) and shared by semantic dedup, clustering, diversity and coverage."""

from __future__ import annotations

import time

import numpy as np

from curate.embed_cache import CachedEncoder
from curate.embedders import unit_rows
from seedling.record import Record


class FieldVectors:
    def __init__(self, records: list[Record], encoder: CachedEncoder):
        self.records = records
        self.encoder = encoder
        self._cache: dict[str, np.ndarray] = {}
        self.seconds = 0.0  # time spent encoding (or reading the cache), for the timings

    def field(self, name: str) -> np.ndarray:
        """Unit vectors of one text field; an empty text is a zero vector (similar to nothing)."""
        if name not in self._cache:
            texts = [getattr(r, name) for r in self.records]
            present = [i for i, t in enumerate(texts) if t.strip()]
            started = time.perf_counter()
            encoded = self.encoder.encode([texts[i] for i in present])
            self.seconds += time.perf_counter() - started
            dim = encoded.shape[1] if len(present) else self.dim()
            out = np.zeros((len(texts), dim), dtype=np.float32)
            if present:
                out[present] = encoded
            self._cache[name] = out
        return self._cache[name]

    def dim(self) -> int:
        for name in ("instruction", "output", "input"):
            if name in self._cache:
                return self._cache[name].shape[1]
        return self.encoder.encode(["dimension probe"]).shape[1]

    def example(self) -> np.ndarray:
        """The whole example: the three parts weighted equally, so a long shared input cannot
        dominate which rows look alike."""
        return unit_rows(self.field("instruction") + self.field("input") + self.field("output"))

"""Embeddings of each row's instruction, input and output, computed once (through the disk
cache) and shared by semantic dedup, clustering, diversity and coverage.

Each field is held as the cache's float16 rows (2 bytes a dimension: a million rows of 256
dimensions take 512 MB a field) and turned into float32 unit rows only for the rows a step
reads, so the numbers are those the cache gives, and no step needs every field in float32 at once."""

from __future__ import annotations

import time

import numpy as np

from curate.embed_cache import CachedEncoder
from seedling.embedders import unit_rows
from seedling.record import Record

BLOCK = 65_536
PAIR_BLOCK = 16_384


def pair_cosines(x, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The cosine of each pair (i[k], j[k]) of unit rows of `x`, a block of pairs at a time: the
    candidate pairs' rows are never all read at once (at 200K rows the semantic tier's pairs
    took 1 GB of float32 rows a side)."""
    out = np.empty(len(i), dtype=np.float32)
    for start in range(0, len(i), PAIR_BLOCK):
        part = slice(start, start + PAIR_BLOCK)
        out[part] = np.einsum("ij,ij->i", x[i[part]], x[j[part]])
    return out


class UnitRows:
    """float16 rows read as float32 unit rows: `x[rows]` gives them, `np.asarray(x)` all of them."""

    def __init__(self, half: np.ndarray):
        self.half = half

    @property
    def shape(self) -> tuple[int, int]:
        return self.half.shape

    def __len__(self) -> int:
        return len(self.half)

    def __getitem__(self, rows) -> np.ndarray:
        return unit_rows(np.atleast_2d(self.half[rows]).astype(np.float32))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = np.empty(self.half.shape, dtype=np.float32)
        for start in range(0, len(out), BLOCK):
            out[start:start + BLOCK] = self[start:start + BLOCK]
        return out if dtype is None else out.astype(dtype)


class FieldVectors:
    def __init__(self, records: list[Record], encoder: CachedEncoder):
        self.records = records
        self.encoder = encoder
        self._cache: dict[str, UnitRows] = {}
        self.seconds = 0.0  # time spent encoding (or reading the cache), for the timings

    def field(self, name: str) -> UnitRows:
        """Unit vectors of one text field; an empty text is a zero vector (similar to nothing)."""
        if name not in self._cache:
            present = [i for i, r in enumerate(self.records) if getattr(r, name).strip()]
            started = time.perf_counter()
            encoded = self.encoder.encode_half([getattr(self.records[i], name) for i in present])
            self.seconds += time.perf_counter() - started
            dim = encoded.shape[1] if len(present) else self.dim()
            if len(present) == len(self.records):
                out = encoded
            else:
                out = np.zeros((len(self.records), dim), dtype=np.float16)
                if present:  # as an array: numpy scatters a list of ints index by index, 15x slower
                    out[np.array(present, dtype=np.int64)] = encoded
            self._cache[name] = UnitRows(out)
        return self._cache[name]

    def rows(self, name: str, rows: np.ndarray) -> UnitRows:
        """Unit vectors of one field for `rows` only, in their order: a step that reads a part of
        the dataset (the semantic tier reads the rows whose answer is evidence) encodes only that
        part; the cache serves the rest of the field to whoever asks for it later."""
        if name in self._cache:
            return UnitRows(self._cache[name].half[rows])
        rows = np.asarray(rows, dtype=np.int64)
        present = [k for k, r in enumerate(rows.tolist()) if getattr(self.records[r], name).strip()]
        started = time.perf_counter()
        encoded = self.encoder.encode_half([getattr(self.records[int(rows[k])], name) for k in present])
        self.seconds += time.perf_counter() - started
        out = np.zeros((len(rows), encoded.shape[1] if present else self.dim()), dtype=np.float16)
        if present:
            out[np.array(present, dtype=np.int64)] = encoded
        return UnitRows(out)

    def dim(self) -> int:
        for name in ("instruction", "output", "input"):
            if name in self._cache:
                return self._cache[name].shape[1]
        return self.encoder.encode(["dimension probe"]).shape[1]

    def example(self) -> np.ndarray:
        """The whole example: the three parts weighted equally, so a long shared input cannot
        dominate which rows look alike."""
        parts = [self.field(name) for name in ("instruction", "input", "output")]
        out = np.empty(parts[0].shape, dtype=np.float32)
        for start in range(0, len(out), BLOCK):
            rows = slice(start, start + BLOCK)
            out[rows] = unit_rows(parts[0][rows] + parts[1][rows] + parts[2][rows])
        return out

"""Embeddings cached on disk, keyed by model + text hash, so every later step and every rerun
reuses them. One directory per model; each encode call that meets new texts adds one shard
(written to a temp file and renamed, so a crash never leaves a half shard)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np

from curate.embedders import unit_rows
from seedling.text import text_hash

BATCH = 4096


class CachedEncoder:
    """Wraps an embedder; `hits` and `misses` count texts served from disk and newly encoded.

    Vectors are stored as float16 and always returned through that rounding, so a first run
    and a rerun from the cache see identical numbers. An embedder without a `model_id` cannot
    be keyed safely and is not cached.
    """

    def __init__(self, embedder, root: Path | None, executor=None):
        self.embedder = embedder
        self.executor = executor  # a RayExecutor embeds the missing texts on its cluster
        model_id = getattr(embedder, "model_id", None)
        self.dir = Path(root) / model_id if root is not None and model_id else None
        self.hits = 0
        self.misses = 0
        self._index: dict[str, tuple[Path, int]] | None = None

    def _load_index(self) -> dict[str, tuple[Path, int]]:
        if self._index is None:
            self._index = {}
            if self.dir is not None and self.dir.is_dir():
                for shard in sorted(self.dir.glob("shard-*.npz")):
                    with np.load(shard) as z:
                        for i, key in enumerate(z["keys"].tolist()):
                            self._index[key] = (shard, i)
        return self._index

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return unit_rows(self.encode_half(texts).astype(np.float32))

    def encode_half(self, texts: list[str]) -> np.ndarray:
        """The stored float16 vectors of `texts` (unit rows before the rounding), filled in place
        block by block: memory is the result and one batch, never a vector object per text."""
        keys = [text_hash(t) for t in texts]
        first: dict[str, int] = {}
        source = np.fromiter((first.setdefault(k, p) for p, k in enumerate(keys)), dtype=np.int64, count=len(keys))
        del keys
        index = self._load_index()
        by_shard: dict[Path, list[tuple[int, int]]] = {}
        missing = []
        for key, pos in first.items():
            if key in index:
                shard, row = index[key]
                by_shard.setdefault(shard, []).append((pos, row))
            else:
                missing.append((key, pos))
        self.hits += len(first) - len(missing)
        self.misses += len(missing)
        out: np.ndarray | None = None
        for shard, wanted in by_shard.items():
            with np.load(shard) as z:
                vecs = z["vecs"]
            out = out if out is not None else np.zeros((len(texts), vecs.shape[1]), dtype=np.float16)
            at = np.array(wanted, dtype=np.int64)
            out[at[:, 0]] = vecs[at[:, 1]]
        for at, vecs in self._compute([texts[p] for _, p in missing]):
            self._write([missing[a][0] for a in at.tolist()], vecs)
            out = out if out is not None else np.zeros((len(texts), vecs.shape[1]), dtype=np.float16)
            out[[missing[a][1] for a in at.tolist()]] = vecs
        if out is None:
            return np.zeros((0, 0), dtype=np.float16)
        again = np.flatnonzero(source != np.arange(len(source)))
        out[again] = out[source[again]]
        return out

    def _compute(self, texts: list[str]):
        """(positions in `texts`, float16 unit rows) a batch at a time, here or on the executor's cluster."""
        if self.executor is not None and texts:
            yield from self.executor.embed(self.embedder, texts)
            return
        for start in range(0, len(texts), BATCH):
            vecs = unit_rows(self.embedder.encode(texts[start:start + BATCH])).astype(np.float16)
            yield np.arange(start, start + len(vecs)), vecs

    def _write(self, keys: list[str], vecs: np.ndarray) -> None:
        if self.dir is None or not keys:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        final = self.dir / f"shard-{uuid.uuid4().hex}.npz"
        tmp = self.dir / f".{final.name}.tmp.npz"
        np.savez(tmp, keys=np.array(keys), vecs=vecs)
        os.replace(tmp, final)
        index = self._load_index()
        for i, key in enumerate(keys):
            index[key] = (final, i)

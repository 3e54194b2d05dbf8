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

    def __init__(self, embedder, root: Path | None):
        self.embedder = embedder
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

    def _read(self, keys: list[str]) -> dict[str, np.ndarray]:
        index = self._load_index()
        by_shard: dict[Path, list[tuple[str, int]]] = {}
        for key in keys:
            if key in index:
                shard, row = index[key]
                by_shard.setdefault(shard, []).append((key, row))
        found = {}
        for shard, wanted in by_shard.items():
            with np.load(shard) as z:
                vecs = z["vecs"]
                for key, row in wanted:
                    found[key] = vecs[row]
        return found

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

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [text_hash(t) for t in texts]
        found = self._read(list(dict.fromkeys(keys)))
        missing = {k: t for k, t in zip(keys, texts) if k not in found}
        self.hits += len(found)
        self.misses += len(missing)
        new_keys, new_texts = list(missing), list(missing.values())
        for start in range(0, len(new_texts), BATCH):
            batch_keys = new_keys[start:start + BATCH]
            vecs = unit_rows(self.embedder.encode(new_texts[start:start + BATCH])).astype(np.float16)
            self._write(batch_keys, vecs)
            found.update(zip(batch_keys, vecs))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return unit_rows(np.stack([found[k] for k in keys]).astype(np.float32))

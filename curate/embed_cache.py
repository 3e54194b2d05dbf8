"""Embeddings cached on disk, keyed by model + text hash, so every later step and every rerun
reuses them. One directory per model; each encode call that meets new texts adds one shard
(written to a temp file and renamed, so a crash never leaves a half shard)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np

from curate import parallel
from seedling.embedders import unit_rows
from seedling.text import text_hash

BATCH = 4096
BATCHES_A_CORE = 4  # fewer batches than this a core are encoded here: a fork costs more
# batches spread over the cores at once (524K texts, 256 MB of float16 at 256 dimensions); a group's
# forks tokenize their words anew, 30 % of a worker's time with groups of 32
GROUP = 128


def digests(keys) -> np.ndarray:
    """text_hash keys (32 hex digits) as 16-byte values: a sortable array, not a string a key."""
    keys = list(keys)
    return np.frombuffer(bytes.fromhex("".join(keys)), dtype="S16") if keys else np.zeros(0, dtype="S16")


class Index:
    """Where each cached vector lies: the keys' digests sorted, with their shard number and row
    (24 bytes a vector; a dict of key strings took ~200, 600 MB for a million rows' three fields).
    Shards added since the last lookup are merged in at the next one."""

    def __init__(self):
        self.shards: list[Path] = []
        self.keys = np.zeros(0, dtype="S16")
        self.where = np.zeros((0, 2), dtype=np.int32)  # shard number, row in the shard
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        self._merge()
        return len(self.keys)

    def add(self, shard: Path, keys: np.ndarray) -> None:
        self.shards.append(shard)
        rows = np.arange(len(keys), dtype=np.int32)
        self._pending.append((keys, np.stack([np.full(len(keys), len(self.shards) - 1, dtype=np.int32), rows], axis=1)))

    def _merge(self) -> None:
        if not self._pending:
            return
        keys = np.concatenate([self.keys, *(k for k, _ in self._pending)])
        where = np.concatenate([self.where, *(w for _, w in self._pending)])
        self._pending = []
        order = np.argsort(keys, kind="stable")
        self.keys, self.where = keys[order], where[order]

    def find(self, wanted: np.ndarray) -> np.ndarray:
        """Per wanted digest, its (shard number, row), or -1 where it is not cached."""
        self._merge()
        out = np.full((len(wanted), 2), -1, dtype=np.int32)
        if not len(self.keys) or not len(wanted):
            return out
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        hit = self.keys[at] == wanted
        out[hit] = self.where[at[hit]]
        return out


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
        self._index: Index | None = None

    def _load_index(self) -> Index:
        if self._index is None:
            self._index = Index()
            if self.dir is not None and self.dir.is_dir():
                for shard in sorted(self.dir.glob("shard-*.npz")):
                    with np.load(shard) as z:
                        self._index.add(shard, digests(z["keys"].tolist()))
        return self._index

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return unit_rows(self.encode_half(texts).astype(np.float32))

    def encode_half(self, texts: list[str]) -> np.ndarray:
        """The stored float16 vectors of `texts` (unit rows before the rounding), filled in place
        block by block: memory is the result, one group of batches and 16 bytes a text, never an object a text."""
        keys = digests(text_hash(t) for t in texts)
        _, first_of, inverse = np.unique(keys, return_index=True, return_inverse=True)
        source = first_of[inverse.reshape(-1)]  # per text, the first position holding the same text
        first = np.sort(first_of)  # each distinct text once, in the order the texts come
        index = self._load_index()
        found = index.find(keys[first])
        cached = found[:, 0] >= 0
        self.hits += int(cached.sum())
        self.misses += int((~cached).sum())
        out: np.ndarray | None = None
        at, where = first[cached], found[cached]
        for shard in np.unique(where[:, 0]).tolist():
            mine = where[:, 0] == shard
            with np.load(index.shards[shard]) as z:
                vecs = z["vecs"]
            out = out if out is not None else np.zeros((len(texts), vecs.shape[1]), dtype=np.float16)
            out[at[mine]] = vecs[where[mine, 1]]
        missing = first[~cached]
        for done, vecs in self._compute([texts[p] for p in missing.tolist()]):
            self._write(keys[missing[done]], vecs)
            out = out if out is not None else np.zeros((len(texts), vecs.shape[1]), dtype=np.float16)
            out[missing[done]] = vecs
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
        starts = range(0, len(texts), BATCH)
        if not getattr(self.embedder, "forks", False):  # its library may run threads a fork would not copy
            for start in starts:
                yield self._batch(texts, start)
            return
        for g in range(0, len(starts), GROUP):  # a group's vectors come back at once: memory stays a group's
            group = starts[g:g + GROUP]
            parts = parallel.chunks(lambda a, b: [self._batch(texts, start) for start in group[a:b]], len(group),
                                    BATCHES_A_CORE)
            for part in parts:  # in order: the same shards, batch for batch, as one process writes
                yield from part

    def _batch(self, texts: list[str], start: int) -> tuple[np.ndarray, np.ndarray]:
        vecs = unit_rows(self.embedder.encode(texts[start:start + BATCH])).astype(np.float16)
        return np.arange(start, start + len(vecs)), vecs

    def _write(self, keys: np.ndarray, vecs: np.ndarray) -> None:
        if self.dir is None or not len(keys):
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        final = self.dir / f"shard-{uuid.uuid4().hex}.npz"
        tmp = self.dir / f".{final.name}.tmp.npz"
        hexed = keys.tobytes().hex()
        np.savez(tmp, keys=np.array([hexed[i:i + 32] for i in range(0, len(hexed), 32)]), vecs=vecs)
        os.replace(tmp, final)
        self._load_index().add(final, keys)

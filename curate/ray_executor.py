"""Curate's per-row work on a Ray cluster (`--executor ray`): the embeddings of the three
fields and the MinHash signatures of both LSH tiers run as Ray Data `map_batches` over blocks
of rows; the LSH buckets, the pair decisions, the resolution and the neighbour search stay on
the driver, where the vectors fit. The vectors go through the same disk cache and the
signatures are the same rensa digests of the same integer ids, so the kept rows are those of
the single-process run."""

from __future__ import annotations

import os

import numpy as np

from seedling.errors import ConfigError

BATCH = 4096


class _Embed:
    """One embedder per Ray worker: float16 unit rows, as the cache stores them."""

    def __init__(self, embedder):
        self.embedder = embedder

    def __call__(self, batch: dict) -> dict:
        from seedling.embedders import unit_rows

        vecs = unit_rows(self.embedder.encode(list(batch["text"]))).astype(np.float16)
        return {"pos": batch["pos"], "vec": vecs}


def _sign(batch: dict) -> dict:
    from curate.dedup.lsh import digests

    lengths = np.array([len(ids) for ids in batch["ids"]], dtype=np.int64)
    flat = np.concatenate([np.asarray(ids, dtype=np.int64) for ids in batch["ids"]] or [np.zeros(0, np.int64)])
    where, matrix = digests(np.concatenate(([0], np.cumsum(lengths))), flat)
    empty = np.ones(len(lengths), dtype=bool)
    empty[where] = False
    full = np.zeros((len(lengths), matrix.shape[1]), dtype=np.uint32)
    full[where] = matrix
    return {"pos": batch["pos"], "sig": full, "empty": empty}


class RayExecutor:
    def __init__(self, address: str | None = None):
        try:
            import ray
        except ImportError:
            raise ConfigError("--executor ray needs Ray: pip install 'seedling[ray]'") from None
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            address = address or os.environ.get("RAY_ADDRESS")
            ray.init(address=address, **({} if address else {"include_dashboard": False}), log_to_driver=False)

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()

    def embed(self, embedder, texts: list[str]):
        """(positions, float16 vectors) blocks, in whatever order the cluster finishes them."""
        import ray.data

        items = ray.data.from_items([{"pos": p, "text": t} for p, t in enumerate(texts)])
        done = items.map_batches(_Embed, fn_constructor_args=(embedder,), batch_size=BATCH, concurrency=2,
                                 batch_format="numpy")
        for batch in done.iter_batches(batch_size=BATCH, batch_format="numpy"):
            yield batch["pos"], batch["vec"]

    def signatures(self, sets: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """`curate.dedup.lsh.digests` of the flat sets (offsets, ids), computed on the cluster."""
        import ray.data

        offsets, ids = sets
        items = ray.data.from_items([{"pos": p, "ids": ids[offsets[p]:offsets[p + 1]]} for p in range(len(offsets) - 1)])
        done = items.map_batches(_sign, batch_size=BATCH, batch_format="numpy")
        pos, sig, empty = [], [], []
        for batch in done.iter_batches(batch_size=BATCH, batch_format="numpy"):
            pos.append(batch["pos"])
            sig.append(batch["sig"])
            empty.append(batch["empty"])
        if not pos:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.uint32)
        pos, sig, empty = np.concatenate(pos), np.concatenate(sig), np.concatenate(empty)
        order = np.argsort(pos)
        keep = order[~empty[order]]
        return pos[keep].astype(np.int64), sig[keep]

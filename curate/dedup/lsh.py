"""MinHash signatures of a tier's rows from integer ids, never strings.

A tier's sets are integer ids already (3-gram ids, token ids) in flat arrays with row offsets.
Turning each id into a string for rensa's per-row `RMinHash.update` was the largest single-core
step at a million rows; here the ids are mixed into 64-bit hashes (splitmix64) with numpy and
rensa digests a block of rows from the flat buffer in one call. Ids repeated inside a row do not
change a MinHash. Chunks of rows go to forked workers (`curate.parallel`); stacked in order they
are what one process computes, so the pairs proposed do not depend on where they ran.

rensa digests on a thread pool (rayon) that starts with its first large digest and that a
fork does not copy: a worker forked after it waits on threads it does not have, forever. So
once this process has digested rows itself (a smaller curate before, in `seedling run`'s rounds
or a library caller's loop), it digests every later set itself too, on one core.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import chain

import numpy as np

from curate import parallel
from seedling.nearindex import NUM_PERM, SEED

ROWS_A_CORE = 20_000  # fewer rows than this a core are hashed here: a fork costs more
BLOCK = 20_000  # rows digested at once (rensa hands them back as Python lists)

_digested_here = False  # this process has run rensa's digests, so its thread pool lives here


def mix(ids: np.ndarray) -> np.ndarray:
    """splitmix64 of each id: well spread 64-bit hashes of ids that are small or bit-packed."""
    z = np.asarray(ids, dtype=np.int64).view(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def digests(offsets: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows with a non-empty set, their MinHash signatures: one uint32 row of NUM_PERM each), row
    r's set being ids[offsets[r]:offsets[r + 1]]."""
    from rensa import RMinHash

    global _digested_here
    _digested_here = True
    offsets = np.asarray(offsets, dtype=np.int64)
    where = np.flatnonzero(np.diff(offsets) > 0)
    out = np.zeros((len(where), NUM_PERM), dtype=np.uint32)
    for start in range(0, len(where), BLOCK):
        rows = where[start:start + BLOCK]
        lengths = offsets[rows + 1] - offsets[rows]
        owner = np.repeat(np.arange(len(rows)), lengths)
        at = offsets[rows][owner] + np.arange(int(lengths.sum())) - (np.cumsum(lengths) - lengths)[owner]
        bounds = np.concatenate(([0], np.cumsum(lengths))).astype(np.uint64)
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(mix(ids[at]), bounds, NUM_PERM, SEED)
        out[start:start + len(rows)] = np.frombuffer(array("I", chain.from_iterable(matrix.to_rows())),
                                                     dtype=np.uintc).reshape(len(rows), NUM_PERM)
    return where.astype(np.int64), out


def _block_digests(sets: Callable[[int, int], tuple[np.ndarray, np.ndarray]], start: int, stop: int):
    """`digests` of positions start..stop-1, their sets laid out a block at a time: a block's
    flat arrays stay in cache, where a worker's whole chunk at once took 2.5x the CPU."""
    found = [(a, *digests(*sets(a, min(a + BLOCK, stop)))) for a in range(start, stop, BLOCK)]
    where = np.concatenate([np.zeros(0, np.int64), *(a - start + w for a, w, _ in found)])
    return start, where, np.concatenate([np.zeros((0, NUM_PERM), np.uint32), *(m for _, _, m in found)])


def signed(count: int, sets: Callable[[int, int], tuple[np.ndarray, np.ndarray]], executor=None):
    """(positions of the non-empty sets, their signatures) for positions 0..count-1, where
    `sets(start, stop)` gives (offsets, ids) of positions start..stop-1; on `executor` if given."""
    if executor is not None:
        return executor.signatures(sets(0, count))
    rows_a_core = count + 1 if _digested_here else ROWS_A_CORE  # no fork once rensa's threads live here
    parts = parallel.chunks(lambda start, stop: _block_digests(sets, start, stop), count, rows_a_core)
    where = np.concatenate([start + w for start, w, _ in parts])
    return where.astype(np.int64), np.concatenate([m for _, _, m in parts]).reshape(len(where), NUM_PERM)


def part(offsets: np.ndarray, ids: np.ndarray) -> Callable[[int, int], tuple[np.ndarray, np.ndarray]]:
    """`sets(start, stop)` for `signed`, of sets already laid out flat."""
    return lambda start, stop: (offsets[start:stop + 1] - offsets[start], ids[offsets[start]:offsets[stop]])

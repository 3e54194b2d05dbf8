"""MinHash LSH candidate pairs of a tier's rows, from integer ids, never strings.

A tier's sets are integer ids already (3-gram ids, token ids) in flat arrays with row offsets.
The ids are mixed into 64-bit hashes (splitmix64) with numpy and rensa digests every row from
one flat buffer. Ids repeated inside a row do not change a MinHash.

rensa hands signatures back only as Python lists: at a million rows that was most of the
tiers' hashing time (a block of 20K rows: digest 0.03 s, lists 0.17 s, numpy 0.07 s). So its
one-shot banding flags, in Rust, each row that shares a band hash with another row. Two rows
that agree on a whole band are both flagged (a hash shared by chance flags a row too many,
never one too few), so only the flagged rows are digested again, handed back and banded
exactly in numpy (`seedling.nearindex.candidate_pairs`): the same pairs as banding every row.

It all runs in this process, on rensa's own thread pool (rayon). No forked worker digests, so
none waits on a pool that a fork does not copy.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import chain

import numpy as np

from seedling.nearindex import NUM_PERM, SEED, candidate_pairs

BLOCK = 20_000  # rows laid out at once: a block's flat arrays stay in cache

Sets = Callable[[int, int], tuple[np.ndarray, np.ndarray]]


def mix(ids: np.ndarray) -> np.ndarray:
    """splitmix64 of each id: well spread 64-bit hashes of ids that are small or bit-packed."""
    z = np.asarray(ids, dtype=np.int64).view(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _rows(matrix) -> np.ndarray:
    """rensa's digest matrix as one uint32 row of NUM_PERM each."""
    return np.frombuffer(array("I", chain.from_iterable(matrix.to_rows())), dtype=np.uintc).reshape(-1, NUM_PERM)


def digests(offsets: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows with a non-empty set, their MinHash signatures: one uint32 row of NUM_PERM each), row
    r's set being ids[offsets[r]:offsets[r + 1]]."""
    from rensa import RMinHash

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
        out[start:start + len(rows)] = _rows(matrix)
    return where.astype(np.int64), out


def _hashed(count: int, sets: Sets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions with a non-empty set, their set sizes, their hashed ids end to end)."""
    where, sizes, hashes = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.uint64)]
    for start in range(0, count, BLOCK):
        offsets, ids = sets(start, min(start + BLOCK, count))
        lengths = np.diff(offsets)
        where.append(start + np.flatnonzero(lengths > 0))
        sizes.append(lengths[lengths > 0])
        hashes.append(mix(ids[offsets[0]:offsets[-1]]))
    return np.concatenate(where), np.concatenate(sizes).astype(np.int64), np.concatenate(hashes)


def _flagged(count: int, sets: Sets, num_bands: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, signatures) of the non-empty sets that share a band hash with another."""
    from rensa import RMinHash, RMinHashLSH

    where, sizes, hashes = _hashed(count, sets)
    if len(where) < 2:
        return where, np.zeros((0, NUM_PERM), dtype=np.uint32)
    every = RMinHash.digest_matrix_from_flat_token_hashes(hashes, _bounds(sizes), NUM_PERM, SEED)
    index = RMinHashLSH(threshold=0.5, num_perm=NUM_PERM, num_bands=num_bands)
    flagged = np.array(index.query_duplicate_flags_matrix_one_shot(every), dtype=bool)
    del every
    again = RMinHash.digest_matrix_from_flat_token_hashes(hashes[np.repeat(flagged, sizes)], _bounds(sizes[flagged]),
                                                          NUM_PERM, SEED)
    return where[flagged], _rows(again)


def _bounds(sizes: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(sizes))).astype(np.uint64)


def candidates(count: int, sets: Sets, num_bands: int, executor=None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of positions (i < j, ordered by j then i) of 0..count-1 whose signatures agree on a
    whole band, `sets(start, stop)` giving (offsets, ids) of positions start..stop-1; the
    signatures computed on `executor` if given."""
    signed = executor.signatures(sets(0, count)) if executor is not None else _flagged(count, sets, num_bands)
    return candidate_pairs((), num_bands, signed=signed)


def part(offsets: np.ndarray, ids: np.ndarray) -> Sets:
    """`sets(start, stop)` for `candidates`, of sets already laid out flat."""
    return lambda start, stop: (offsets[start:stop + 1] - offsets[start], ids[offsets[start]:offsets[stop]])

"""The LSH tiers' candidate pairs: rensa flags rows that share a band hash, and only those rows'
signatures are banded here; the pairs must be those of banding every row's signature."""

import numpy as np

from curate.dedup import lsh
from seedling.nearindex import candidate_pairs


def _planted(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random sets (some empty, some of one id), a fiftieth of them copied over later rows with one id changed."""
    rng = np.random.default_rng(seed)
    sets = [rng.integers(0, 50_000, k) for k in rng.integers(1, 40, n)]
    for k in np.flatnonzero(rng.random(n) < 0.1):
        sets[k] = sets[k][:0]
    for a, b in zip(rng.choice(n // 2, n // 50, replace=False), rng.choice(np.arange(n // 2, n), n // 50)):
        sets[b] = np.concatenate(([-1], sets[a][1:]))
    offsets = np.concatenate(([0], np.cumsum([len(s) for s in sets]))).astype(np.int64)
    return offsets, np.concatenate(sets)


def test_flagged_rows_give_the_pairs_of_every_row_banded():
    offsets, ids = _planted(45_000)  # three blocks
    for bands in (32, 16):
        first, second = lsh.candidates(len(offsets) - 1, lsh.part(offsets, ids), bands)
        every_first, every_second = candidate_pairs((), bands, signed=lsh.digests(offsets, ids))
        assert len(first) > 300
        assert np.array_equal(first, every_first) and np.array_equal(second, every_second)


def test_too_few_sets_give_no_pairs():
    offsets = np.array([0, 0, 3, 3])
    first, second = lsh.candidates(3, lsh.part(offsets, np.arange(3)), 32)
    assert len(first) == len(second) == 0
    assert len(lsh.candidates(0, lsh.part(np.zeros(1, np.int64), np.zeros(0, np.int64)), 32)[0]) == 0

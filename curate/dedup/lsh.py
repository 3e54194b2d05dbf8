"""MinHash signatures of a tier's rows on every core: rensa hashes one row at a time in Python,
one core's work at T0's size and the largest single-core step at a million rows. Contiguous
chunks of rows go to forked workers (`curate.parallel`), each returning its rows' signatures;
stacked in order they are what one process computes, so the pairs proposed are the same."""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from curate import parallel
from seedling.nearindex import NUM_PERM, signatures

ROWS_A_CORE = 5000  # fewer rows than this a core are hashed here: a fork costs more


def signed(count: int, sets: Callable[[int, int], Iterable[Iterable[str]]], executor=None):
    """(positions of the non-empty sets, their signatures) for positions 0..count-1, where
    `sets(start, stop)` gives the sets of positions start..stop-1; on `executor` if given."""
    if executor is not None:
        return executor.signatures(sets(0, count))
    parts = parallel.chunks(lambda start, stop: (start, *signatures(sets(start, stop), NUM_PERM)), count,
                            ROWS_A_CORE)
    where = np.concatenate([start + w for start, w, _ in parts])
    return where.astype(np.int64), np.concatenate([m for _, _, m in parts]).reshape(len(where), NUM_PERM)

"""Sorted distinct values of an integer array, through a sort.

numpy 2.3's `np.unique(a)` (no index, inverse or counts asked) finds the distinct values with a
hash table and sorts them after. On arrays whose values are mostly distinct (n-gram ids, pair
codes, millions of them) that is many times slower than sorting the array and dropping repeats:
2.54 s against 0.17 s for 2.75M int64 (AMD EPYC). The result is the same array. Where values
repeat heavily the hash is the faster (a sort: 0.52 s against 0.08 s for 8M ids of 200K values),
so a count that may meet either (diversity's distinct-n) uses pandas' hash count instead.
"""

from __future__ import annotations

import numpy as np


def distinct(a) -> np.ndarray:
    """What `np.unique(a)` returns for an integer array: its distinct values, sorted, flattened."""
    s = np.sort(np.ravel(a))
    if len(s) < 2:
        return s
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]

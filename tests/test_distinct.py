import numpy as np

from seedling.distinct import distinct


def test_distinct_is_np_unique():
    rng = np.random.default_rng(0)
    arrays = [np.zeros(0, np.int64), np.array([5]), np.array([3, 3]), rng.integers(0, 10, 50),
              rng.integers(-2**62, 2**62, 10_000), rng.integers(0, 2**32, 3_000).astype(np.uint32),
              np.array([[3, 1], [1, 2]])]
    for a in arrays:
        want, got = np.unique(a), distinct(a)
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)

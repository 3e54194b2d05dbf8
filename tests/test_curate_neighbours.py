"""The usearch index used past a few thousand rows finds the same close pairs as exact search."""

from __future__ import annotations

import numpy as np

from curate import neighbours


def test_index_and_exact_agree_on_close_pairs(monkeypatch):
    rng = np.random.default_rng(0)
    base = rng.normal(size=(300, 32)).astype(np.float32)
    x = np.vstack([base, base[:50] + 0.01 * rng.normal(size=(50, 32)).astype(np.float32)])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    exact = neighbours.neighbour_pairs(x, k=5)
    monkeypatch.setattr(neighbours, "EXACT_BELOW", 10)
    ann = neighbours.neighbour_pairs(x, k=5)
    close = lambda r: {(int(i), int(j)) for i, j, s in zip(*r) if s > 0.99}
    assert close(exact) == close(ann) == {(i, 300 + i) for i in range(50)}


def test_fewer_than_two_rows():
    i, j, s = neighbours.neighbour_pairs(np.ones((1, 4), dtype=np.float32))
    assert len(i) == len(j) == len(s) == 0


def test_pair_cosines_in_blocks_equal_the_whole_product(monkeypatch):
    import curate.vectors as vectors

    rng = np.random.default_rng(3)
    half = rng.standard_normal((500, 16)).astype(np.float16)
    x = vectors.UnitRows(half)
    i, j = rng.integers(0, 500, 2000), rng.integers(0, 500, 2000)
    whole = np.einsum("ij,ij->i", np.asarray(x)[i], np.asarray(x)[j])
    monkeypatch.setattr(vectors, "PAIR_BLOCK", 300)
    assert np.array_equal(vectors.pair_cosines(x, i, j), whole)
    assert vectors.pair_cosines(x, i[:0], j[:0]).shape == (0,)

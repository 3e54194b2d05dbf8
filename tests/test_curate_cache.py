"""Embeddings are cached on disk by model + text hash and reused on a rerun."""

from __future__ import annotations

import numpy as np

from curate.embed_cache import CachedEncoder
from curate.options import CurateOptions
from curate.pipeline import curate
from tests.data.curate.planted import seed_records
from tests.helpers.embedders import BagOfWords


def test_rerun_reads_every_vector_from_the_cache(tmp_path):
    rows = seed_records()[:40]
    opts = CurateOptions(cache=str(tmp_path), semantic_threshold=0.95)
    first_embedder = BagOfWords()
    first = curate(rows, opts, embedder=first_embedder)
    assert first.audit.embedder.cache.misses > 0 and first_embedder.calls > 0
    again_embedder = BagOfWords()
    again = curate(rows, opts, embedder=again_embedder)
    assert again_embedder.calls == 0
    assert again.audit.embedder.cache.misses == 0
    # a text can be looked up twice a run (the semantic tier's rows, then a whole field): the rerun
    # finds every lookup the first run made
    cache = first.audit.embedder.cache
    assert again.audit.embedder.cache.hits == cache.hits + cache.misses
    assert again.audit.clusters == first.audit.clusters


def test_cache_is_keyed_by_model(tmp_path):
    a, b = BagOfWords(), BagOfWords()
    b.model_id = "another-model"
    CachedEncoder(a, tmp_path).encode(["hello world"])
    CachedEncoder(b, tmp_path).encode(["hello world"])
    assert a.calls == 1 and b.calls == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["another-model", "bow-test"]


def test_cached_and_fresh_vectors_are_identical(tmp_path):
    texts = ["one text", "another text", "one text"]
    fresh = CachedEncoder(BagOfWords(), tmp_path).encode(texts)
    cached = CachedEncoder(BagOfWords(), tmp_path).encode(texts)
    assert np.array_equal(fresh, cached)
    assert np.allclose(np.linalg.norm(fresh, axis=1), 1, atol=1e-3)


def test_an_embedder_without_a_model_id_is_not_cached(tmp_path):
    class Anonymous:
        def encode(self, texts):
            return np.ones((len(texts), 4))

    CachedEncoder(Anonymous(), tmp_path).encode(["x"])
    assert list(tmp_path.iterdir()) == []


def test_field_vectors_held_in_float16_read_as_the_encoders_float32_rows(tmp_path):
    from curate.vectors import FieldVectors
    from seedling.record import Record

    rows = seed_records()[:30] + [Record("a task with no input", "an answer", input="")]
    encoder = CachedEncoder(BagOfWords(), tmp_path)
    field = FieldVectors(rows, encoder).field("input")
    present = [i for i, r in enumerate(rows) if r.input.strip()]
    assert field.half.dtype == np.float16 and 0 < len(present) < len(rows)
    whole = np.asarray(field)
    assert whole.dtype == np.float32 and np.array_equal(whole[present], encoder.encode([rows[i].input for i in present]))
    assert not whole[[i for i in range(len(rows)) if i not in present]].any()
    some = np.array([5, 1, 5, 29])
    assert np.array_equal(field[some], whole[some])


def test_one_encoder_finds_what_it_wrote_and_each_repeated_text_once(tmp_path):
    encoder = CachedEncoder(BagOfWords(), tmp_path)
    first = encoder.encode(["alpha beta", "gamma", "alpha beta"])
    assert (encoder.hits, encoder.misses) == (0, 2)
    second = encoder.encode(["gamma", "delta", "alpha beta", "delta"])
    assert (encoder.hits, encoder.misses) == (2, 3)
    assert np.array_equal(second[[0, 2]], first[[1, 0]]) and np.array_equal(second[1], second[3])
    reread = CachedEncoder(BagOfWords(), tmp_path)
    assert np.array_equal(reread.encode(["delta", "gamma", "alpha beta"]), second[[1, 0, 2]])
    assert (reread.hits, reread.misses) == (3, 0) and len(reread._index) == 3


def test_an_embedder_that_forks_gives_the_vectors_and_shards_of_one_process(tmp_path, monkeypatch):
    from curate import embed_cache, parallel

    monkeypatch.setattr(embed_cache, "BATCH", 16)
    monkeypatch.setattr(embed_cache, "GROUP", 4)
    monkeypatch.setattr(embed_cache, "BATCHES_A_CORE", 1)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    texts = [f"row {i} says {i % 7} things about {i % 11}" for i in range(300)]
    one, spread = BagOfWords(), BagOfWords()
    spread.forks = True
    here = CachedEncoder(one, tmp_path / "one").encode_half(texts)
    forked = CachedEncoder(spread, tmp_path / "spread").encode_half(texts)
    assert np.array_equal(here, forked)
    assert spread.calls == 0  # every batch was encoded in a worker

    def shard_keys(root):
        return sorted(tuple(np.load(p)["keys"].tolist()) for p in (root / "bow-test").glob("shard-*.npz"))

    assert shard_keys(tmp_path / "one") == shard_keys(tmp_path / "spread") and len(shard_keys(tmp_path / "one")) == 19

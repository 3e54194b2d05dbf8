"""Curate with `executor: ray` on a local 2-CPU cluster: embeddings and MinHash signatures run
as Ray Data map_batches, and the kept rows, the removals and their reasons are those of the
single-process run."""

import pytest

from curate.options import CurateOptions
from curate.pipeline import curate
from tests.data.curate.planted import planted
from tests.data.curate.templated import templated
from tests.helpers.embedders import BagOfWords

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'seedling[ray]'), so curate's Ray "
                                        "executor cannot be tested here")


def test_ray_executor_keeps_the_rows_one_process_keeps(ray_cluster, tmp_path):
    rows = planted()[0] + templated().rows
    results = {}
    for executor in ("local", "ray"):
        opts = CurateOptions(cache=str(tmp_path / executor), semantic_threshold=0.95, executor=executor)
        results[executor] = curate(rows, opts, embedder=BagOfWords())
    local, on_ray = results["local"], results["ray"]
    assert [r.id for r in on_ray.kept] == [r.id for r in local.kept]
    assert [(r.index, r.tier, r.dup_of, r.reason) for r in on_ray.dedup.removals] == \
           [(r.index, r.tier, r.dup_of, r.reason) for r in local.dedup.removals]
    assert {t.name for t in local.dedup.tiers if t.removals} >= {"exact", "near"}
    semantic = [r.dedup.tier("semantic").details["candidate_pairs"] for r in (local, on_ray)]
    assert semantic[0] == semantic[1] > 0  # the answers' signatures came from the cluster too
    assert on_ray.audit.embedder.cache.misses == local.audit.embedder.cache.misses > 0

"""The shipped default: the static embedder distilled from MiniLM (once, ~20-90 s, then cached)
on the planted set. Checks the calibrated threshold's precision and recall and that rows sharing
one passage survive the semantic tier."""

from __future__ import annotations

import pytest

from curate.embedders import load_embedder
from curate.options import CurateOptions
from curate.pipeline import curate
from tests.data.curate.planted import planted, shared_context
from tests.helpers.marks import needs_embedder_wheel


@pytest.mark.slow
@needs_embedder_wheel
def test_default_static_embedder_on_planted_duplicates(tmp_path):
    rows, kinds = planted()
    rows = rows + shared_context()
    passage_rows = set(range(len(rows) - 5, len(rows)))
    result = curate(rows, CurateOptions(cache=str(tmp_path)), embedder=load_embedder("static"))
    removed = result.dedup.removed_indices()
    planted_rows = {i for idx in kinds.values() for i in idx}
    precision = len(removed & planted_rows) / len(removed)
    recall = len(removed & planted_rows) / len(planted_rows)
    assert precision == 1.0
    assert recall >= 0.85
    assert set(kinds["exact"]) <= removed
    assert not removed & passage_rows
    semantic = result.dedup.tier("semantic")
    assert semantic.details["threshold"] == 0.77
    context = result.audit.dedup.shared_context  # the five questions over one passage, all kept
    assert context["groups"] == 1 and context["rows"] == 5

"""What curate leaves for `seedling view` to link rows by: each output line's input row, each
input row's instruction vector, and the groups it keeps (shared passage, template variants,
conflicts) as whole groups, on the T0-shaped templated rows whose truth is known."""

from __future__ import annotations

import json

import numpy as np

from curate import overrides as decisions
from curate.options import CurateOptions
from curate.outputs import write_data
from curate.pipeline import curate
from seedling import overrides
from tests.data.curate.templated import QUESTIONS, templated
from tests.helpers.embedders import BagOfWords


def _written(tmp_path, decide=None):
    data = templated()
    result = curate(data.rows, CurateOptions(cache=str(tmp_path / "cache"), semantic_threshold=0.95),
                    embedder=BagOfWords())
    out = tmp_path / "out"
    if decide:
        overrides.record(out / overrides.OVERRIDES, *decide)
        decisions.apply(result, out / overrides.OVERRIDES)
    write_data(result, out)
    lines = [json.loads(line) for name in ("kept.jsonl", "removed.jsonl")
             for line in (out / name).read_text(encoding="utf-8").splitlines()]
    groups = [json.loads(line) for line in (out / "groups.jsonl").read_text(encoding="utf-8").splitlines()]
    return data, lines, np.load(out / "positions.npy"), np.load(out / "vectors.npy"), groups


def _kind(groups, kind):
    return [g["rows"] for g in groups if g["kind"] == kind]


def test_each_line_names_its_input_row_and_each_row_has_its_vector(tmp_path):
    data, lines, positions, vectors, _ = _written(tmp_path)
    assert sorted(positions.tolist()) == list(range(len(data.rows)))
    assert [line["instruction"] for line in lines] == [data.rows[p].instruction for p in positions]
    expected = BagOfWords().encode([data.rows[5].instruction])[0]
    assert vectors.shape == (len(data.rows), 512) and vectors.dtype == np.float16
    assert np.dot(vectors[5].astype(np.float32), expected / np.linalg.norm(expected)) > 0.99


def test_groups_are_the_passages_the_variants_and_the_conflicts(tmp_path):
    data, _, _, _, groups = _written(tmp_path)
    copies = set(data.copies)
    passages = [[r for r in g if r < len(data.example)] for g in _kind(groups, "passage")]
    assert sorted(sorted({data.example[r] // QUESTIONS for r in g}) for g in passages) == [[p] for p in range(8)]
    variants = _kind(groups, "variants")
    assert variants and all(len({data.example[r] for r in g}) == 1 and not copies & set(g) for g in variants)
    assert sorted(map(sorted, _kind(groups, "conflict"))) == sorted(sorted(pair) for pair in data.conflicts)
    assert all(g["about"] for g in groups)


def test_a_row_a_person_moved_keeps_its_input_row(tmp_path):
    data = templated()
    copy = data.copies[0]
    _, lines, positions, _, _ = _written(tmp_path, ([data.rows[copy].id], "keep", "", [0]))
    moved = [p for line, p in zip(lines, positions) if line.get("decision")]
    assert moved == [copy] and "removed_by" not in lines[list(positions).index(copy)]
    assert [line["instruction"] for line in lines] == [data.rows[p].instruction for p in positions]

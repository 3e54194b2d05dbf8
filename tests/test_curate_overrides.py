"""A person's decisions (overrides.jsonl): the file survives concurrent writers, a bad line is
named, and curate applies the decisions after its rules, counts them in the audit and shows
them in the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from curate import overrides as decisions
from curate.options import CurateOptions
from curate.pipeline import curate
from curate.report import html
from seedling import overrides
from seedling.errors import DataError
from seedling.record import Record
from tests.helpers.embedders import BagOfWords
from tests.helpers.paths import ROOT

WRITER = """
import sys
from pathlib import Path
from seedling import overrides
for k in range(20):
    overrides.record(Path(sys.argv[1]), [f"w{sys.argv[2]}-{k}"], "note", f"note {k}")
"""


def _write_many(path, worker) -> None:
    for k in range(20):
        overrides.record(path, [f"w{worker}-{k}"], "note", f"note {k}")


def test_concurrent_writers_lose_nothing_and_leave_whole_lines(tmp_path):
    """Three processes (as two servers and a tab would be) and three threads of this one."""
    path = tmp_path / overrides.OVERRIDES
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(w)], env=env) for w in range(3)]
    with ThreadPoolExecutor(3) as threads:
        for d in [threads.submit(_write_many, path, w) for w in range(3, 6)]:
            d.result()
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 * 20
    assert {json.loads(line)["id"] for line in lines} == {f"w{w}-{k}" for w in range(6) for k in range(20)}


def test_later_decision_wins_and_a_note_keeps_the_action(tmp_path):
    path = tmp_path / overrides.OVERRIDES
    overrides.record(path, ["a", "b"], "remove")
    overrides.record(path, ["a"], "keep", "the copy is the better row")
    overrides.record(path, ["b"], "note", "check the source")
    got = overrides.read(path)
    assert (got["a"].action, got["a"].note) == ("keep", "the copy is the better row")
    assert (got["b"].action, got["b"].note) == ("remove", "check the source")


def test_a_bad_line_is_named(tmp_path):
    path = tmp_path / overrides.OVERRIDES
    path.write_text('{"id": "a", "action": "keep"}\n{"id": "b", "action": "delete"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"overrides.jsonl: line 2: not a decision \(action"):
        overrides.read(path)


def _rows() -> list[Record]:
    a = Record("Name three primary colours.", "Red, yellow and blue are the three primary colours.")
    return [a, Record("name three  primary colours.", a.output, source="generated"),  # the same once normalised
            Record("Explain why the sky looks blue on a clear day.", "Air scatters blue light more than red light."),
            Record("Write a haiku about autumn leaves falling.", "Red leaves drift and fall, the wind carries them.")]


def test_curate_applies_the_decisions_and_the_audit_and_report_show_them(tmp_path):
    rows = _rows()
    result = curate(rows, CurateOptions(tiers=["exact"], cache=str(tmp_path / "cache")), embedder=BagOfWords())
    copy = result.removed[0]
    assert copy.extra["removed_by"] == "exact"
    path = tmp_path / overrides.OVERRIDES
    overrides.record(path, [copy.id], "keep", "both sources matter")
    overrides.record(path, [rows[2].id], "remove", "off topic")
    overrides.record(path, [rows[3].id, "not-in-data"], "note", "fine")
    decisions.apply(result, path)

    assert [r.id for r in result.removed] == [rows[2].id]
    assert result.removed[0].extra["removed_by"] == "person"
    assert result.removed[0].extra["reason"] == "removed by a person: off topic"
    kept_copy = next(r for r in result.kept if r.id == copy.id)
    assert "removed_by" not in kept_copy.extra and "dup_of" not in kept_copy.extra
    assert kept_copy.extra["decision"]["rule"]["removed_by"] == "exact"
    assert next(r for r in result.kept if r.id == rows[3].id).extra["decision"]["note"] == "fine"
    audit = result.audit.dump()
    assert (audit["kept"], audit["removed"]) == (3, 1)
    o = audit["overrides"]
    counts = (o["decisions"], o["kept_by_person"], o["removed_by_person"], o["notes"], o["not_in_data"])
    assert counts == (4, 1, 1, 4, 1)
    page = html.render(result.audit, result.projection, "t")
    assert "Decisions made by a person" in page and "both sources matter" in page


def test_no_file_changes_nothing(tmp_path):
    result = curate(_rows(), CurateOptions(tiers=["exact"], cache=str(tmp_path / "cache")), embedder=BagOfWords())
    before = (list(result.kept), list(result.removed), result.audit.dump())
    decisions.apply(result, tmp_path / overrides.OVERRIDES)
    assert (result.kept, result.removed, result.audit.dump()) == before


def test_a_runs_curate_step_is_fingerprinted_by_the_decisions(tmp_path):
    from rich.console import Console

    from seedling.config import build_section
    from seedling.run.split import SEEDS
    from seedling.run.stages import Curate, RunContext

    opts = {name: build_section(name, {}) for name in ("curate", "tune")}
    opts["run"] = build_section("run", {"pool": str(tmp_path / "pool.jsonl")})
    ctx = RunContext(tmp_path, opts, Console())
    (tmp_path / SEEDS).parent.mkdir(parents=True)
    (tmp_path / SEEDS).write_text("{}\n", encoding="utf-8")
    before = Curate().inputs(ctx)
    assert "overrides" not in before  # a run without decisions keeps the fingerprint it had
    overrides.record(tmp_path / overrides.OVERRIDES, ["a"], "keep")
    first = Curate().inputs(ctx)["overrides"]
    overrides.record(tmp_path / overrides.OVERRIDES, ["b"], "remove")
    assert Curate().inputs(ctx)["overrides"] != first


def _three_copies(tmp_path):
    a = Record("Name three primary colours.", "Red, yellow and blue are the three primary colours.")
    rows = [a, Record(a.instruction, a.output, meta={"n": 1}), Record(a.instruction, a.output, meta={"n": 2}),
            Record("Explain why the sky looks blue on a clear day.", "Air scatters blue light more than red light.")]
    result = curate(rows, CurateOptions(tiers=["exact"], cache=str(tmp_path / "cache")), embedder=BagOfWords())
    assert [r.meta for r in result.removed] == [{"n": 1}, {"n": 2}]  # one content id, three rows
    return rows, result


def test_keeping_one_removed_copy_brings_back_that_copy_only(tmp_path):
    rows, result = _three_copies(tmp_path)
    path = tmp_path / overrides.OVERRIDES
    overrides.record(path, [rows[2].id], "keep", "this source counts", occurrences=[2])
    decisions.apply(result, path)
    assert [r.meta for r in result.kept if r.id == rows[0].id] == [{}, {"n": 2}]
    assert [r.meta for r in result.removed] == [{"n": 1}]
    assert result.audit.overrides["kept_by_person"] == 1 and result.audit.overrides["not_in_data"] == 0
    assert [r.meta for r in result.rows[:3]] == [{}, {"n": 1}, {"n": 2}]
    assert result.rows[2] is next(r for r in result.kept if r.meta == {"n": 2})  # still one object a row


def test_a_decision_without_an_occurrence_is_about_every_copy(tmp_path):
    rows, result = _three_copies(tmp_path)
    path = tmp_path / overrides.OVERRIDES
    overrides.record(path, [rows[0].id], "keep")
    overrides.record(path, [rows[0].id], "remove", occurrences=[0])  # the one the rule kept
    decisions.apply(result, path)
    assert [r.meta for r in result.kept if r.id == rows[0].id] == [{"n": 1}, {"n": 2}]
    assert [r.meta for r in result.removed] == [{}]

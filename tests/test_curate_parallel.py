"""Per-row work spread over forked workers gives what one process gives: the same quality
columns, bias scans and audit, to the order of every counter."""

from __future__ import annotations

import json
import os
import signal

import pytest

from curate import parallel
from curate.bias.scans import scan_all
from curate.options import CurateOptions
from curate.pipeline import curate
from seedling.errors import SeedlingError
from seedling.record import Record
from tests.data.curate.planted import planted
from tests.helpers.marks import needs_embedder_wheel

TEXTS = ["Write a bio of the engineer. He designs bridges and his team admires him.",
         "Write a bio of the nurse. She is kind and her patients love her.",
         "Describe a Muslim family's holiday. The grandmother cooks for everyone.",
         "Summarize the Christian charity's report on elderly people and poor families.",
         "Plan a week of meals for a vegan athlete."]


def rows() -> list[Record]:
    mixed = [Record(f"Task {i}: {TEXTS[i % len(TEXTS)]} Detail {i % 7}.", f"Answer {i}: done, and {TEXTS[i % 3]}")
             for i in range(60)]
    return planted()[0] + mixed


@pytest.fixture
def forked(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ROWS", 10)
    monkeypatch.setattr(parallel, "cores", lambda: 3)


def test_chunks_cover_the_rows_in_order_in_other_processes(forked):
    parts = parallel.chunks(lambda a, b: (a, b, os.getpid()), 100)
    assert [(a, b) for a, b, _ in parts] == [(0, 33), (33, 66), (66, 100)]
    assert os.getpid() not in {pid for _, _, pid in parts}
    assert parallel.map_rows(lambda x: x * x, list(range(50))) == [x * x for x in range(50)]


def test_a_killed_worker_is_an_error_not_a_hang(forked):
    def work(start, stop):
        if start:
            os.kill(os.getpid(), signal.SIGKILL)
        return start, stop

    with pytest.raises(SeedlingError, match="worker process died"):
        parallel.chunks(work, 100)


def test_few_rows_run_here(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 3)
    assert parallel.chunks(lambda a, b: (a, b, os.getpid()), 100) == [(0, 100, os.getpid())]


def _scans(records):
    s = scan_all(records, [i % 4 for i in range(len(records))], units=[i // 3 for i in range(len(records))])
    by_axis = {a: {k: list(c.items()) for k, c in d.items()} for a, d in s.near_named.items()}
    by_group = {m: list(c.items()) for m, c in s.near_group.items()}
    return (list(s.background.items()), by_axis, by_group, {k: v.tolist() for k, v in s.index.items()}, list(s.index),
            {k: v.tolist() for k, v in s.occupations.items()}, s.female_pronouns.tolist(), s.male_pronouns.tolist(),
            s.rows_with_any_mention)


def _untimed(value):
    """The audit without its clock readings and cache folder."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in ("seconds", "timings_s", "dir")}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


@needs_embedder_wheel  # the audit's diversity reads the default static embedder
def test_scans_and_audit_are_those_of_one_process(forked, monkeypatch, tmp_path):
    records = rows()
    spread = _scans(records), curate(records, CurateOptions(cache=str(tmp_path / "a"), tiers=["exact", "near"]))
    monkeypatch.setattr(parallel, "cores", lambda: 1)
    here = _scans(records), curate(records, CurateOptions(cache=str(tmp_path / "b"), tiers=["exact", "near"]))
    assert spread[0] == here[0]
    assert spread[0][2]  # the rows do name groups
    assert json.dumps(_untimed(spread[1].audit.dump())) == json.dumps(_untimed(here[1].audit.dump()))
    assert [r.extra for r in spread[1].rows] == [r.extra for r in here[1].rows]

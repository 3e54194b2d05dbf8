"""With `curate: select` the run trains selected, random and all-rows students at equal steps
and seed, and the report leads with their table and paired differences with 95% intervals."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rich.console import Console

from curate.options import CurateOptions
from seedling.artifacts import TuneEval
from seedling.formats.atomic import write_json, write_text
from seedling.run.report import render
from seedling.run.report.selection import paired, three_students
from seedling.run.report.run_files import Run
from seedling.run.stages import STAGES, CompareRandom, CompareSelected, Curate, RunContext
from tune.options import TuneOptions

IDS = [f"r{i}" for i in range(6)]
NLL = {"selected": [1.0, 1.1, 0.9, 1.2, 1.0, 0.8], "random": [1.2, 1.3, 1.0, 1.2, 1.1, 1.0],
       "all": [1.1, 1.2, 1.0, 1.1, 1.0, 0.9]}


def _side(nll: float) -> dict:
    return {"nll_per_token": nll, "perplexity": round(2.718 ** nll, 3),
            "per_example": {"mean": nll, "ci95": [nll - 0.1, nll + 0.1], "n": 6}}


def _eval(key: str, rows: int) -> dict:
    per = [{"id": i, "tokens": 10, "base": 1.5, "student": v} for i, v in zip(IDS, NLL[key])]
    mean = sum(NLL[key]) / 6
    return {"data": {"path": f"{key}.jsonl", "fingerprint": key, "train_rows": rows, "held_out_rows": 6,
                     "removed_as_overlapping_eval": 0},
            "train": {"steps": 4, "seconds": 1.0}, "held_out": 6,
            "nll": {"n": 6, "base": _side(1.5), "student": _side(mean), "per_example": per,
                    "difference": {"mean": mean - 1.5, "ci95": [mean - 1.6, mean - 1.4], "improved": 6, "n": 6}}}


def _seeded(key: str, rows: int, shifts: list[float]) -> dict:
    """The eval of a student trained at len(shifts) seeds, each seed moving every example by its shift."""
    ev = _eval(key, rows)
    ev["seeds"] = [{"seed": k, "steps": 4, "nll_per_token": sum(NLL[key]) / 6 + shift,
                    "per_example": {i: v + shift for i, v in zip(IDS, NLL[key])}} for k, shift in enumerate(shifts)]
    return ev


def test_with_seeds_a_difference_must_hold_at_every_seed_and_exceed_their_spread(tmp_path):
    run = _run_dir(tmp_path)
    write_json(run / "tune/eval.json", _seeded("all", 40, [0.0, -0.3, 0.3]))
    write_json(run / "compare-selected/tune/eval.json", _seeded("selected", 20, [0.0, 0.01, 0.02]))
    write_json(run / "compare-random/tune/eval.json", _seeded("random", 20, [0.0, 0.01, -0.01]))
    figures = three_students(Run(run))
    row = figures["rows"][2]["across_seeds"]
    assert row["seeds"] == 3 and row["sd"] == pytest.approx(0.3) and row["min"] < row["mean"] < row["max"]
    by_pair = {(d["a"], d["b"]): d for d in figures["paired"]}
    steady = by_pair[("selected", "random")]  # better on 5 of 6 examples, at every seed
    assert steady["differs"] and steady["call"] == "selected better" and len(steady["by_seed"]) == 3
    shaky = by_pair[("random", "all")]  # clear on the seed-averaged examples, but the all-rows seeds swing by ±0.3
    assert shaky["differs"] and shaky["call"] == "no clear difference across seeds"
    assert "trained at 3 seeds" in render(run)


def _run_dir(tmp_path, select=0.5):
    write_json(tmp_path / "manifest.json", {"config": {"curate": {"select": select}, "run": {"name": "t"}}})
    write_json(tmp_path / "tune/eval.json", _eval("all", 40))
    write_json(tmp_path / "compare-selected/tune/eval.json", _eval("selected", 20))
    write_json(tmp_path / "compare-random/tune/eval.json", _eval("random", 20))
    return tmp_path


def test_paired_differences_match_by_example():
    d = paired(TuneEval.model_validate(_eval("selected", 1)).nll.per_example,
               TuneEval.model_validate(_eval("random", 1)).nll.per_example)
    diffs = [a - b for a, b in zip(NLL["selected"], NLL["random"])]
    assert d.n == 6 and d.mean == pytest.approx(sum(diffs) / 6)
    assert d.ci95[0] < d.mean < d.ci95[1] and d.better == 5 and d.worse == 0


def test_the_report_leads_with_the_three_students(tmp_path):
    run = _run_dir(tmp_path)
    figures = three_students(Run(run))
    assert [r["key"] for r in figures["rows"]] == ["selected", "random", "all"]
    assert [(d["a"], d["b"]) for d in figures["paired"]] == [("selected", "random"), ("selected", "all"), ("random", "all")]
    page = render(run)
    assert page.index("three students at equal steps and seed") < page.index('id="summary"')
    assert "selected minus random" in page
    assert all(d["call"] in ("selected better", "random better", "all better", "no clear difference")
               for d in figures["paired"])
    assert figures["paired"][0]["call"] == "selected better"  # better on 5 of 6 and never worse
    assert "one seed cannot separate arms" in page


def test_without_select_the_report_has_no_such_section(tmp_path):
    run = _run_dir(tmp_path, select=None)
    assert "missing" in three_students(Run(run))
    assert "three students" not in render(run)


def test_the_two_extra_students_run_only_with_select_and_match_rows_and_steps(tmp_path):
    run = _run_dir(tmp_path)
    for rel in ("curate/kept.jsonl", "curate/selected.jsonl", "split/held_out.jsonl"):
        write_text(run / rel, "")
    ctx = RunContext(run, {"curate": CurateOptions(select=0.5), "tune": TuneOptions()}, Console())
    assert [s.name for s in STAGES][-2:] == ["compare-selected", "compare-random"]
    assert CompareSelected().wanted(ctx) and CompareSelected().inputs(ctx)["max_steps"] == 4
    assert CompareRandom().inputs(ctx)["train_rows"] == 20
    off = SimpleNamespace(opts={"curate": CurateOptions(), "tune": TuneOptions()})
    assert not CompareSelected().wanted(off) and not CompareRandom().wanted(off)


def test_ifd_scores_with_the_runs_student():
    ctx = SimpleNamespace(opts={"curate": CurateOptions(select=10), "tune": TuneOptions(student="some/dir")})
    assert Curate._opts(ctx).ifd_model == "some/dir"
    ctx.opts["curate"] = CurateOptions(select=10, ifd_model="other")
    assert Curate._opts(ctx).ifd_model == "other"


def test_the_summary_verdict_also_needs_the_difference_at_every_seed(tmp_path):
    from seedling.run.report.verdict import comparison

    run = _run_dir(tmp_path)
    write_json(run / "tune/eval.json", _seeded("selected", 20, [0.0, 0.01, 0.02]))  # curated-data student
    write_json(run / "compare-raw/tune/eval.json", _seeded("random", 20, [0.0, -0.3, 0.3]))
    shaky = comparison(Run(run))
    assert shaky["paired"].by_seed and not shaky["paired"].differs and shaky["tone"] == "neutral"
    write_json(run / "compare-raw/tune/eval.json", _seeded("random", 20, [0.0, 0.01, -0.01]))
    assert comparison(Run(run))["tone"] == "good"

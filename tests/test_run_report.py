"""report.html on a fixture run directory: real curate outputs (bag-of-words embedder, a few
seconds), hand-written manifest, rounds and tune files following their schemas. Opened in
headless Chromium: every section there, its plots drawn, no console errors."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import plotly.offline
import pytest

from curate.options import CurateOptions
from curate.outputs import write_data
from curate.outputs import write_report as write_audit
from curate.pipeline import curate
from seedling.formats import save
from seedling.formats.atomic import write_json, write_text
from seedling.run.report import render, write_report
from tests.data.curate.planted import planted
from tests.helpers.browser import render as browse
from tests.helpers.embedders import BagOfWords

SECTIONS = ("summary", "inputs", "generation", "rounds", "curation", "diversity", "training", "comparison",
            "samples", "card")
PLOTTED = ("generation", "rounds", "curation", "diversity", "training", "comparison")
HINTS = ["tasks about sql, query", "include people described as elderly (age)"]
REGION = 'tasks like "Write a limerick about a cat."'
HOSTILE = "<img src=x onerror=\"console.error('unescaped')\">"  # a data text that must stay text


def _manifest(stages: dict, compare_raw: bool = True, rounds: int = 3) -> dict:
    done = {"status": "done", "fingerprint": "f" * 16, "started": "2025-01-01T00:00:00Z",
            "finished": "2025-01-01T00:01:00Z"}
    return {
        "seedling": "0.1.0", "manifest_version": 1, "config_file": "configs/demo.yaml",
        "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:30:00Z",
        "config": {"run": {"name": "fixture", "rounds": rounds, "compare_raw": compare_raw, "seed": 0},
                   "generate": {"method": "self_instruct", "num": 110},
                   "curate": {"tiers": ["exact", "near", "semantic"]},
                   "tune": {"max_steps": 30, "train_rows": 80}},
        "packages": {"torch": "2.13.0+cpu", "plotly": "6.0.0"},
        "machine": {"cpu": "Fixture CPU 9000", "cpu_capability": "AVX512", "bf16_native": True, "dtype": "bfloat16",
                    "cores": 2, "python": "3.12.0", "platform": "Linux"},
        "models": {"teacher": {"name": "SmolLM2-135M-Instruct (embedded)", "path": "/models/smollm2",
                               "sha256": "a" * 64, "license": "Apache-2.0"},
                   "student": {"name": "SmolLM2-135M-Instruct (embedded)", "path": "/models/smollm2",
                               "sha256": "a" * 64, "license": "Apache-2.0"},
                   "embedder": {"name": "bow-test", "path": "-", "sha256": "b" * 64, "license": "test"}},
        "inputs": {"seeds": {"path": "data/seed_tasks.jsonl", "sha256": "c" * 64, "rows": 175,
                             "license": "Apache-2.0 (Self-Instruct seed tasks)"},
                   "held_out": {"path": "split/held_out.jsonl", "rows": 18,
                                "from": "10% of the seed tasks by id hash"}},
        "stages": {name: {**done, "wall_s": wall} for name, wall in stages.items()},
    }


def _rounds() -> dict:
    def entry(k, new, vendi_row, entropy, share, hints):
        return {"round": k, "rows_new": new, "rows_total": 36 * k, "steered": k > 1,
                "steering_used": f"rounds/round-{k - 1}/steering.json" if k > 1 else None,
                "new_rows": {"vendi": round(vendi_row * new, 2), "vendi_per_row": vendi_row,
                             "mean_cosine_distance": 0.7 + 0.05 * k, "distinct_2": 0.6 + 0.05 * k},
                "all_rows": {"vendi": 20.0 * k, "vendi_per_row": 0.55, "cluster_entropy": entropy, "clusters": 4 + k,
                             "coverage_share": share, "rows_with_group_mention": 5 * k},
                "hints_next": hints}
    first, second = entry(1, 36, 0.52, 0.81, 0.41, HINTS), entry(2, 36, 0.61, 0.86, 0.50, [REGION])
    first["regions_next"] = [{"hint": REGION, "seed_examples": ["Write a limerick about a cat."], "rows_landed": 0}]
    second["hints_used"] = [{"hint": REGION, "rows": 4, "vendi_per_row_with": 0.61, "vendi_per_row_without": 0.7,
                             "narrowed": True, "rows_landed": 3}]
    second["hints_dropped"] = [REGION]
    return {"rounds": [first, second, entry(3, 35, 0.66, 0.90, 0.58, [])]}


def _eval(held: list, student_shift: float, noise: int, samples_prefix: str, decontaminated: int) -> dict:
    """A tune/eval.json with per-example NLL: base 3.0 + noise, student lower by `student_shift`."""
    per_example = []
    for i, r in enumerate(held):
        base = 3.0 + 0.1 * ((i * 7) % 5)
        per_example.append({"id": r.id, "tokens": 20 + i, "base": base,
                            "student": round(base - student_shift - 0.04 * ((i * (3 + noise)) % 5), 4)})
    students = [e["student"] for e in per_example]
    mean = sum(students) / len(students)
    return {
        "data": {"path": "curate/kept.jsonl", "fingerprint": "d" * 16, "train_rows": 80, "held_out_rows": len(held),
                 "removed_as_overlapping_eval": 0,
                 "decontamination": {"exact": decontaminated, "near": 1, "threshold": 0.5, "shingle": "word 3-grams",
                                     "examples": [{"train_id": "1", "eval_id": held[0].id, "kind": "near",
                                                   "score": 0.62, "train": held[0].instruction + " please",
                                                   "eval": held[0].instruction}]}},
        "train": {"steps": 30, "seconds": 95.5, "first_loss": 2.9, "last_loss": 2.1, "resumed_from": None},
        "held_out": len(held),
        "nll": {"n": len(held), "tokens": 500,
                "base": {"nll_per_token": 3.2101, "perplexity": 24.78,
                         "per_example": {"mean": 3.2, "sd": 0.1, "se": 0.02, "ci95": [3.16, 3.24], "n": len(held)}},
                "student": {"nll_per_token": round(mean + 0.004, 4), "perplexity": 11.2,
                            "per_example": {"mean": round(mean, 4), "sd": 0.1, "se": 0.02,
                                            "ci95": [round(mean - 0.04, 4), round(mean + 0.04, 4)], "n": len(held)}},
                "difference": {"mean": -0.5, "sd": 0.1, "se": 0.02, "ci95": [-0.54, -0.46], "n": len(held),
                               "improved": len(held) - 1, "meaning": "student minus base"},
                "per_example": per_example},
        "samples": [{"id": r.id, "instruction": (HOSTILE if i == 0 else "") + r.instruction, "reference": r.output,
                     "base": "base answer " + "long " * 120 * (i == 1), "student": f"{samples_prefix} answer {i}"}
                    for i, r in enumerate(held[:3])],
        "checks": {"prompts": 12, "constraints": 14, "base": 5, "student": 7 if samples_prefix == "curated" else 6,
                   "rows": []},
    }


def _metrics(start: float, slope: float) -> str:
    lines = (json.dumps({"step": s, "loss": round(start - slope * s, 4), "lr": 1e-4}) for s in range(1, 31))
    return "".join(line + "\n" for line in lines)


def _write_tune(root: Path, prefix: str, ev: dict, metrics: str) -> None:
    write_json(root / prefix / "eval.json", ev)
    write_text(root / prefix / "metrics.jsonl", metrics)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A whole run: split, generate, rounds, curate (real), tune and compare-raw (hand-written)."""
    root = tmp_path_factory.mktemp("run")
    rows, _ = planted()
    seeds, held = rows[:100], [replace(r, source="seed") for r in rows[100:118]]
    generated = [replace(r, source="generated", meta={"batch": 1 + i % 3}) for i, r in enumerate(rows[118:])]
    generated[0] = replace(generated[0], instruction=HOSTILE + generated[0].instruction)
    save(seeds, root / "split" / "seeds.jsonl")
    save(held, root / "split" / "held_out.jsonl")
    save(generated, root / "generate" / "generated.jsonl")
    write_json(root / "generate" / "stats.json", {
        "accepted": len(generated), "target": 110, "batches": 6, "method": "self_instruct", "tokens_in": 51234,
        "tokens_out": 20480, "tokens_per_s": 143.27, "wall_s": 260.4, "teacher_s": 240.1,
        "rejected": {"too_similar": 41, "empty_output": 9, "refusal": 3}, "notes": {"truncated": 2},
        "rounds": [{"round": 1, "target": 36, "steering": None},
                   {"round": 2, "target": 72, "steering": "rounds/round-1/steering.json"},
                   {"round": 3, "target": 110, "steering": "rounds/round-2/steering.json"}]})
    write_json(root / "rounds.json", _rounds())
    result = curate(generated, CurateOptions(cache=str(root / "cache"), semantic_threshold=0.95), embedder=BagOfWords(),
                    reference=seeds)
    write_audit(result, root / "curate", "fixture")
    write_data(result, root / "curate")
    _write_tune(root, "tune", _eval(held, 0.9, 0, "curated", 2), _metrics(2.9, 0.03))
    _write_tune(root, "compare-raw/tune", _eval(held, 0.75, 2, "raw", 4), _metrics(3.0, 0.025))
    write_json(root / "manifest.json", _manifest({"split": 0.4, "generate": 260.4, "curate": 12.0, "tune": 95.5,
                                                  "compare-raw": 97.0}))
    return root


def _section(dom: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', dom, re.S)
    assert match, f"section {name} missing"
    return match.group(1)


def test_full_run_report_renders_every_section_with_plots(run_dir, tmp_path):
    path = write_report(run_dir)
    assert path == run_dir / "report.html"
    html = path.read_text(encoding="utf-8")
    assert html.count(plotly.offline.get_plotlyjs()[:300]) == 1  # plotly's JS inlined once
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?:", html)  # nothing fetched from the network
    page = browse(path, screenshot=tmp_path / "report.png")
    assert page.errors == []
    ids = re.findall(r'<section id="(\w+)"', page.dom)
    assert tuple(ids) == SECTIONS
    for name in PLOTTED:
        assert "main-svg" in _section(page.dom, name), f"no plot drawn in {name}"
    summary = _section(page.dom, "summary")
    curated = json.loads((run_dir / "tune" / "eval.json").read_text())["nll"]["student"]["nll_per_token"]
    assert f"{curated:.3f}" in summary and "Curation helped" in summary
    assert "18 held-out examples" in summary and "Fixture CPU 9000" in summary and "bfloat16" in summary
    rounds = _section(page.dom, "rounds")
    assert "Steering widened the data" in rounds and HINTS[1] in rounds
    assert "Write a limerick about a cat." in rounds and "0 → 3" in rounds and "dropped from the next round" in rounds
    assert "Round 2: 1 hint narrowed the round" in rounds
    assert 'href="curate/audit.html"' in _section(page.dom, "curation")
    assert "&lt;img src=x" in _section(page.dom, "samples")  # data text shown as text, not as markup
    assert "Small teacher" in _section(page.dom, "card")


def test_run_stopped_after_curate_says_what_did_not_run(run_dir, tmp_path):
    stopped = tmp_path / "stopped"
    shutil.copytree(run_dir, stopped,
                    ignore=shutil.ignore_patterns("tune", "compare-raw", "rounds.json", "report.html"))
    manifest = _manifest({"split": 0.4, "generate": 260.4, "curate": 12.0}, rounds=1)
    write_json(stopped / "manifest.json", manifest)
    page = browse(write_report(stopped))
    assert page.errors == []
    for name in ("training", "comparison", "samples"):
        assert "Not run: the run stopped before the tune step" in _section(page.dom, name)
    assert "No student was trained" in _section(page.dom, "summary")
    assert "generation ran in 1 round" in _section(page.dom, "rounds")
    assert "main-svg" in _section(page.dom, "curation")


def test_compare_raw_off_and_older_eval_files_still_render(run_dir, tmp_path):
    """No compare-raw, and an eval.json written before decontamination and per-example NLL."""
    off = tmp_path / "off"
    shutil.copytree(run_dir, off, ignore=shutil.ignore_patterns("compare-raw", "report.html"))
    ev = json.loads((off / "tune" / "eval.json").read_text())
    del ev["nll"]["per_example"], ev["data"]["decontamination"]
    write_json(off / "tune" / "eval.json", ev)
    write_json(off / "manifest.json", _manifest({"split": 0.4, "generate": 1.0, "curate": 1.0, "tune": 1.0},
                                                compare_raw=False))
    html = render(off)
    assert "Curated vs raw data: not run, run.compare_raw is off in the config" in html
    assert "not recorded by this tune version" in html
    assert "No judge in this run" in html


def test_browser_helper_catches_console_errors_and_uncaught_exceptions(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<!doctype html><body><p id=p>before</p>"
                    "<script>console.log('fine'); console.error('deliberate console error')</script>"
                    "<script>throw new Error('deliberate throw')</script>"
                    "<script>setTimeout(() => null.x, 5); document.getElementById('p').textContent = 'after'</script>")
    seen = browse(page)
    assert "after" in seen.dom
    assert len(seen.errors) == 3 and "fine" not in " ".join(seen.errors)
    assert "deliberate console error" in seen.errors[0] and "deliberate throw" in seen.errors[1]
    assert "TypeError" in seen.errors[2]


def test_audit_json_is_written_through_its_model_and_an_undeclared_figure_fails(run_dir):
    from pydantic import ValidationError

    from seedling.curate_audit import AUDIT_VERSION, CurateAudit

    data = json.loads((run_dir / "curate" / "audit.json").read_text())
    assert data["version"] == AUDIT_VERSION
    assert CurateAudit.model_validate(data).dump() == data  # every key kept, none added
    with pytest.raises(ValidationError, match="surprise"):
        CurateAudit.model_validate({**data, "surprise": 1})
    renamed = {**data, "quality": {**data["quality"], "dropped": data["quality"]["removed"]}}
    with pytest.raises(ValidationError, match="dropped"):
        CurateAudit.model_validate(renamed)


def test_an_audit_written_before_the_bias_intervals_reads_by_its_counts(run_dir):
    from seedling.curate_audit import CurateAudit
    from seedling.run.report.card import bias_limits

    data = json.loads((run_dir / "curate" / "audit.json").read_text())
    for key in ("version", "scores", "counterfactual"):
        data.pop(key)
    bias = data["bias"]
    del bias["method"], bias["associations"], bias["sentiment"]
    bias["pronouns"] = {k: bias["pronouns"][k] for k in ("female", "male", "male_share", "male_to_female")}
    bias["axes"] = {"gender": {"rows_with_mention": 3, "groups": {"female": {"rows": 0, "rate": 0.0},
                                                                   "male": {"rows": 3, "rate": 0.1}},
                               "skew": {"max_to_min_nonzero": None, "max_group": "male", "under_represented": []}}}
    old = CurateAudit.model_validate(data)
    assert old.version == 1 and old.bias.method is None
    assert "gender: mentions lean to male (counts only, no interval)." in bias_limits(old.bias)


def test_the_report_finds_a_stage_file_where_the_manifest_layout_says(run_dir, tmp_path):
    from seedling.run.layout import layout

    moved = tmp_path / "moved"
    shutil.copytree(run_dir, moved, ignore=shutil.ignore_patterns("report.html"))
    (moved / "curate" / "audit.json").rename(moved / "curate" / "figures.json")
    manifest = json.loads((moved / "manifest.json").read_text())
    assert "layout" not in manifest  # an older manifest: the installed stages' layout is used
    assert 'id="curation"' in render(moved) and "Not run" in _section(render(moved), "curation")
    files = layout()
    files["curate"]["audit"] = "curate/figures.json"
    write_json(moved / "manifest.json", {**manifest, "layout": files})
    kept = json.loads((moved / "curate" / "figures.json").read_text())["kept"]
    assert f"<b>{kept}</b>kept" in _section(render(moved), "curation")


def test_the_card_names_the_model_scorers_that_ran(run_dir):
    from seedling.run.report.card import known_limits
    from seedling.run.report.run_files import Run

    run = Run(run_dir)
    audit = run.audit()
    assert any("scored by heuristics only; not run: language_id, llm_judge" in line for line in known_limits(run, audit))
    scored = audit.model_copy(update={"scores": {**(audit.scores or {}), "scorers": {"learned": {}, "judge": {}}}})
    assert any("scored by heuristics and judge, learned;" in line for line in known_limits(run, scored))

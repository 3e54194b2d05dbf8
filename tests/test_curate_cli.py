"""`seedling curate` and `seedling audit` through register(app), with a tiny static model built
here (random vectors over MiniLM's tokenizer): the commands, files and config section."""

from __future__ import annotations

import html
import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from curate.cli import register
from seedling.formats import load, save
from seedling.models import resolve_embedder
from tests.data.curate.planted import planted


@pytest.fixture(scope="module")
def tiny_static(tmp_path_factory):
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(resolve_embedder(None) / "tokenizer.json"))
    vectors = np.random.default_rng(0).normal(size=(tokenizer.get_vocab_size(), 16)).astype(np.float32)
    path = tmp_path_factory.mktemp("tiny-static")
    StaticModel(vectors=vectors, tokenizer=tokenizer, normalize=True).save_pretrained(str(path))
    return path


@pytest.fixture()
def app():
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture()
def dataset(tmp_path):
    rows, kinds = planted()
    path = tmp_path / "planted.jsonl"
    save(rows, path)
    return path, rows, kinds


def test_curate_writes_kept_removed_and_the_report(app, dataset, tiny_static, tmp_path):
    src, rows, kinds = dataset
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["curate", str(src), "--out", str(out), "--embedder", str(tiny_static),
                                      "--semantic-threshold", "0.99", "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    kept, removed = load(out / "kept.jsonl").records, load(out / "removed.jsonl").records
    assert len(kept) + len(removed) == len(rows)
    assert {r.id for r in removed} >= {rows[i].id for i in kinds["exact"]}
    assert all(r.extra["reason"] and r.extra["dup_of"] for r in removed)
    assert {r.extra["dup_of"] for r in removed} <= {r.id for r in kept}  # chains end at a kept row
    assert all("cluster" in r.extra and "quality" in r.extra for r in kept)
    audit = json.loads((out / "audit.json").read_text())
    assert audit["removed"] == len(removed) and audit["input"]["format"] == "contract"
    page = (out / "audit.html").read_text()
    assert "<script src=" not in page and "Plotly" in page and "Duplicates" in page
    steering = json.loads((out / "steering.json").read_text())
    assert {"under_represented_groups", "sparse_clusters", "pronouns"} <= set(steering)
    border = [p for t in audit["dedup"]["tiers"] for p in t.get("borderline_pairs", [])]
    assert border and all(p["a_answer"] and p["b_answer"] for p in border)  # a pair's prompts alone may be one text
    assert f"→ {border[0]['a_answer']}" in html.unescape(page)


def test_audit_leaves_the_data_alone(app, dataset, tiny_static, tmp_path):
    src, _, _ = dataset
    before = src.read_bytes()
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["audit", str(src), "--out", str(out), "--embedder", str(tiny_static),
                                      "--semantic-threshold", "0.99", "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert src.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["audit.html", "audit.json", "steering.json"]
    assert "rows:" in result.output and "Dedup" in result.output


def test_fields_flag_says_what_the_semantic_tier_compared(app, dataset, tiny_static, tmp_path):
    src, rows, _ = dataset
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["audit", str(src), "--out", str(out), "--embedder", str(tiny_static),
                                      "--fields", "instruction", "--semantic-threshold", "0.99",
                                      "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    tiers = {t["name"]: t for t in json.loads((out / "audit.json").read_text())["dedup"]["tiers"]}
    assert tiers["semantic"]["details"]["compared"] == ["instruction"]
    assert "fields option" in tiers["semantic"]["details"]["why"]


def test_config_section_picks_the_tiers(app, dataset, tiny_static, tmp_path):
    src, _, kinds = dataset
    config = tmp_path / "c.yaml"
    config.write_text(f"curate:\n  tiers: [exact]\n  embedder: {tiny_static}\n  cache: {tmp_path / 'cache'}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["curate", str(src), "--out", str(out), "--config", str(config)])
    assert result.exit_code == 0, result.output
    audit = json.loads((out / "audit.json").read_text())
    assert [t["name"] for t in audit["dedup"]["tiers"]] == ["exact"]
    assert audit["removed"] == len(kinds["exact"])


def test_an_unknown_tier_is_a_config_error(app, dataset, tmp_path):
    src, _, _ = dataset
    result = CliRunner().invoke(app, ["curate", str(src), "--out", str(tmp_path / "o"), "--tiers", "exact,fuzzy"])
    assert result.exit_code != 0
    assert "tiers" in str(result.exception)


def test_curate_select_writes_the_chosen_rows_and_why_for_every_row(app, dataset, tiny_static, tiny_model_dir,
                                                                      tmp_path, monkeypatch):
    monkeypatch.setenv("SEEDLING_CACHE", str(tmp_path / "seedling-cache"))
    src, rows, _ = dataset
    out = tmp_path / "out"
    args = ["curate", str(src), "--out", str(out), "--embedder", str(tiny_static), "--semantic-threshold", "0.99",
            "--cache", str(tmp_path / "cache"), "--select", "0.3", "--scores", "ifd", "--select-by", "quality,ifd",
            "--ifd-model", str(tiny_model_dir)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    kept, selected = load(out / "kept.jsonl").records, load(out / "selected.jsonl").records
    lines = [json.loads(line) for line in (out / "selection.jsonl").read_text().splitlines()]
    assert len(lines) == len(rows) and all(line["reason"] for line in lines)
    assert 0 < len(selected) <= round(0.3 * len(kept)) and {r.id for r in selected} <= {r.id for r in kept}
    assert [line["id"] for line in lines if line["selected"]] and sum(line["selected"] for line in lines) == len(selected)
    assert all("ifd" in r.extra and "answer_nll" in r.extra for r in kept)
    audit = json.loads((out / "audit.json").read_text())
    assert audit["selection"]["chosen"] == len(selected) and audit["scores"]["scorers"]["ifd"]["scored"] > 0
    assert "ifd" in audit["scores"]["distributions"] and audit["scores"]["lowest"]
    assert "Scores and selection" in (out / "audit.html").read_text()
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    audit = json.loads((out / "audit.json").read_text())
    assert audit["scores"]["scorers"]["ifd"]["scored"] == 0  # every value read back from the cache
    assert load(out / "selected.jsonl").records == selected


def test_curate_select_ranks_by_the_learned_score_by_default(app, dataset, tiny_static, tmp_path):
    src, rows, _ = dataset
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["curate", str(src), "--out", str(out), "--embedder", str(tiny_static),
                                      "--semantic-threshold", "0.99", "--cache", str(tmp_path / "cache"),
                                      "--select", "0.3"])
    assert result.exit_code == 0, result.output
    assert "by quality * learned" in result.output
    kept = load(out / "kept.jsonl").records
    assert all(0 < r.extra["learned"] < 1 for r in kept)
    audit = json.loads((out / "audit.json").read_text())
    assert audit["selection"]["parts"] == ["quality", "learned"]
    from curate.scores.learned import QualityModel

    assert audit["scores"]["scorers"]["learned"]["model"] == QualityModel().card["name"]
    assert audit["timings_s"]["scores"] == pytest.approx(audit["scores"]["scorers"]["learned"]["seconds"], abs=2e-3)
    assert "learned" in audit["scores"]["distributions"]


def test_audit_on_ray_reports_what_one_process_reports(app, dataset, tiny_static, tmp_path, ray_cluster):
    src, _, _ = dataset
    audits = {}
    for executor in ("local", "ray"):
        out = tmp_path / executor
        result = CliRunner().invoke(app, ["audit", str(src), "--out", str(out), "--embedder", str(tiny_static),
                                          "--semantic-threshold", "0.99", "--executor", executor,
                                          "--cache", str(tmp_path / f"cache-{executor}")])
        assert result.exit_code == 0, result.output
        audits[executor] = json.loads((out / "audit.json").read_text())
    local, on_ray = audits["local"], audits["ray"]
    assert on_ray["removed"] == local["removed"] > 0
    assert [(t["name"], t["removed"]) for t in on_ray["dedup"]["tiers"]] == \
           [(t["name"], t["removed"]) for t in local["dedup"]["tiers"]]

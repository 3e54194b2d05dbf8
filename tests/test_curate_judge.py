"""The LLM judge through the core's teachers: scripted ratings parsed with their reasons, an
unparsable reply counted and its row left unscored, the template a user copies is the one used,
a rerun asks nothing, and a real engine (transformers on the tiny model) never crashes it."""

import json

import pytest

from curate.options import CurateOptions
from curate.scores import active, run_scorer, score_pool
from curate.scores.judge import DEFAULT_TEMPLATE, JudgeScorer, parse
from seedling.errors import ConfigError
from seedling.record import Record

ROWS = [Record("What is the capital of Japan?", "Tokyo."),
        Record("What colour is the sky on a clear day?", "Green."),
        Record("Write a haiku about rain.", "Rain on the roof / soft drums in the night / sleep comes")]
SCRIPT = {"rules": [{"match": "capital of japan", "outputs": ["Rating: 5\nReason: Correct and direct."]},
                    {"match": "colour is the sky", "outputs": ["**Rating:** 1/5\nReason: The sky is not green."]},
                    {"match": "zebra", "outputs": ["Rating: 4\nReason: the copied template was used."]},
                    {"match": "", "outputs": ["I would rather not say."]}]}


@pytest.fixture()
def script(tmp_path):
    path = tmp_path / "judge.json"
    path.write_text(json.dumps(SCRIPT))
    return path


def test_ratings_reasons_and_an_unparsable_reply(script, tmp_path):
    scorer = JudgeScorer("fake", str(script))
    values, summary = run_scorer(scorer, ROWS, tmp_path)
    assert [v["judge"] for v in values] == [5, 1, None]
    assert values[0]["judge_reason"] == "Correct and direct." and values[1]["judge_reason"] == "The sky is not green."
    assert values[2]["judge_unparsable"] == "I would rather not say."
    assert summary["judge_unparsable"] == 1 and summary["ratings"]["5"] == 1
    calls = scorer.teacher().calls
    again, summary = run_scorer(scorer, ROWS, tmp_path)
    assert again == values and summary["scored"] == 0 and scorer.teacher().calls == calls


def test_an_unparsable_row_is_left_unscored_in_the_columns(script, tmp_path):
    scores = score_pool(ROWS, CurateOptions(score_cache=str(tmp_path), judge={"engine": "fake", "model": str(script)}))
    assert scores.columns[0]["judge"] == 5 and "judge" not in scores.columns[2]
    assert scores.columns[2]["judge_unparsable"]


def test_a_copied_template_is_the_prompt(script, tmp_path):
    copied = tmp_path / "mine.j2"
    copied.write_text(DEFAULT_TEMPLATE.read_text().replace("You are grading", "Zebra rules. You are grading"))
    values, _ = run_scorer(JudgeScorer("fake", str(script), template=str(copied)), ROWS[2:], tmp_path)
    assert values[0]["judge"] == 4
    assert JudgeScorer("fake", str(script)).settings()["template_hash"] != JudgeScorer(
        "fake", str(script), template=str(copied)).settings()["template_hash"]


def test_the_judge_is_off_unless_a_model_is_named(script):
    assert active(CurateOptions(select=5)) == ["learned"]
    assert active(CurateOptions(select=5, judge={"model": str(script)})) == ["learned", "judge"]
    with pytest.raises(ConfigError):
        JudgeScorer.from_options(CurateOptions(scores=["judge"]))


@pytest.mark.parametrize("reply, rating", [("Rating: 4/5\nReason: ok", 4), ("rating=2", 2), ("**Rating**: 3", 3),
                                           ("Rating: 7", None), ("no idea", None)])
def test_parse(reply, rating):
    assert parse(reply)[0] == rating


def test_a_real_engine_that_answers_gibberish_leaves_rows_unscored(tiny_model_dir, tmp_path):
    scorer = JudgeScorer("transformers", str(tiny_model_dir), max_tokens=8, dtype="float32")
    values, summary = run_scorer(scorer, ROWS, tmp_path)
    assert len(values) == 3 and summary["judge_unparsable"] + sum(summary["ratings"].values()) == 3
    assert summary["settings"]["revision"].startswith("sha256:")


def test_selection_ranks_with_the_judge_and_a_low_rating_is_left(script, tmp_path):
    from curate.pipeline import curate
    from tests.helpers.embedders import BagOfWords

    opts = CurateOptions(select=2, scores=["judge"], judge={"engine": "fake", "model": str(script)},
                         semantic_threshold=0.95,
                         cache=str(tmp_path / "emb"), score_cache=str(tmp_path / "scores"), tiers=["exact"])
    result = curate(ROWS, opts, embedder=BagOfWords())
    assert result.audit.selection["parts"] == ["quality", "judge"]
    assert {r.instruction for r in result.selected} == {ROWS[0].instruction, ROWS[2].instruction}
    left = next(line for line in result.selection if not line["selected"])
    assert left["id"] == ROWS[1].id and left["reason"].startswith("left")
    assert result.audit.scores["scorers"]["judge"]["judge_unparsable"] == 1

"""A judge's win rate: both orders, ties, unparsed verdicts, its interval, and the
length-controlled rate, with the scripted fake teacher."""

import json

import pytest

from seedling.teachers import make_teacher
from tune.judge import judge, length_controlled, parse, render, summarise, template_text


def _fake(tmp_path, outputs):
    script = tmp_path / "judge.json"
    script.write_text(json.dumps({"rules": [{"match": "", "outputs": outputs}]}))
    return make_teacher("fake", str(script))


def test_verdicts_are_read_from_the_last_mark():
    assert parse("A is fine but [[B]]") == "B" and parse("[[A]] ... final: [[C]]") == "tie"
    assert parse("[[tie]]") == "tie" and parse("I prefer A.") is None


def test_both_orders_cancel_a_judge_that_always_picks_the_first_answer(tmp_path):
    rows = judge(_fake(tmp_path, ["[[A]]"]), ["q1", "q2"], ["a1", "a2"], ["b1", "b2"])
    assert [r.score for r in rows] == [0.5, 0.5] and not any(r.consistent for r in rows)
    s = summarise(rows)
    assert s.win_rate == 0.5 and s.position_agreement == 0.0 and not s.differs


def test_a_judge_that_prefers_a_in_both_orders_gives_a_win_rate_with_an_interval(tmp_path):
    # order 1 shows A first, order 2 shows B first: "[[A]]" then "[[B]]" both pick student A
    outputs = ["[[A]]", "[[B]]"] * 9 + ["[[C]]", "[[C]]"] + ["[[B]]", "[[A]]"] + ["no verdict", "[[B]]"]
    n = len(outputs) // 2
    rows = judge(_fake(tmp_path, outputs), [f"q{i}" for i in range(n)], ["a"] * n, ["b"] * n)
    s = summarise(rows)
    assert (s.wins, s.ties, s.losses, s.n, s.unparsed_verdicts) == (10, 1, 1, 12, 1)
    scores = [r.score for r in rows]
    assert s.win_rate == pytest.approx(sum(scores) / 12, abs=1e-4) and s.ci95[0] < s.win_rate < s.ci95[1]
    assert s.differs and s.ci95[0] > 0.5


def test_length_control_removes_a_win_that_comes_from_length():
    diffs = [-300, -200, -100, 100, 200, 300] * 3
    by_length = [0.0 if d < 0 else 1.0 for d in diffs]  # the longer answer always wins
    lc = length_controlled(by_length, diffs)
    assert lc.win_rate == pytest.approx(0.5, abs=0.05) and lc.length_slope > 0.5
    fair = [1.0, 0.5, 1.0, 1.0, 0.5, 1.0] * 3  # A better whatever the lengths
    assert length_controlled(fair, diffs).win_rate > 0.7
    assert length_controlled([1.0, 0.0], [1, 2]) is None


def test_the_prompt_is_a_jinja_template_a_user_can_replace(tmp_path):
    text = render(template_text(), "Add 2 and 2.", "4", "5")
    assert "Add 2 and 2." in text and text.index("4") < text.index("5") and "[[C]]" in text
    mine = tmp_path / "mine.j2"
    mine.write_text("Q: {{ instruction }} / {{ answer_a }} / {{ answer_b }}")
    assert render(template_text(mine), "q", "x", "y") == "Q: q / x / y"
    with pytest.raises(ValueError, match="each instruction needs one answer from each"):
        judge(None, ["q"], ["a"], [])


def test_eval_has_two_students_answer_and_writes_every_verdict(tiny_model_dir, tmp_path):
    from seedling import Record, save
    from tune.compare import compare, summary_line

    held = tmp_path / "held.jsonl"
    save([Record(f"Name fruit number {i}.", f"Fruit {i}.") for i in range(3)], held)
    out = tmp_path / "judged.json"
    result = compare(held, str(tiny_model_dir), str(tiny_model_dir), _fake(tmp_path, ["[[A]]", "[[B]]"]), out,
                     max_new_tokens=4, dtype="float32")
    s = result.summary
    assert (s.n, s.wins, s.win_rate) == (3, 3, 1.0) and s.length_controlled is None  # equal lengths
    saved = json.loads(out.read_text())
    assert len(saved["rows"]) == 3 and saved["rows"][0]["answer_a"] == saved["rows"][0]["answer_b"]
    assert saved["judge"]["engine"] == "fake"
    assert summary_line(s, "x", "y").startswith("win rate of x over y: 1.000") and "n = 3" in summary_line(s, "x", "y")


def test_eval_refuses_a_judge_option_its_engine_does_not_take(tmp_path):
    from typer.testing import CliRunner

    from seedling import Record, save
    from seedling.cli import app, load_stage_commands
    from seedling.errors import ConfigError

    load_stage_commands()

    held = tmp_path / "held.jsonl"
    save([Record("Name a fruit.", "Apple.")], held)
    script = tmp_path / "judge.json"
    script.write_text(json.dumps({"rules": [{"match": "", "outputs": ["[[A]]"]}]}))
    result = CliRunner().invoke(app, ["eval", str(held), "--a", "base", "--judge-engine", "fake", "--judge-model",
                                      str(script), "--judge-base-url", "http://x"])
    assert isinstance(result.exception, ConfigError)  # before any student is loaded
    assert str(result.exception).startswith("the fake engine does not take base_urls")

"""A steered round asks for more task lists than it needs and answers first the tasks that
reach seed tasks no row covers, then the most spread out, judged as the audit judged coverage."""

import json

import numpy as np
import pytest

from generate import choice as choosing
from generate.choice import Choice
from generate.runner import generate
from generate.steering import load_steering
from seedling import load
from seedling.errors import DataError
from tests.helpers.embedders import BagOfWords
from tests.helpers.fake_teacher import Recording, options
from tests.helpers.steering import TOPIC, steering_dict, write


class Axes:
    """Each text a fixed vector: what reaches what is set by hand."""

    def __init__(self, vectors: dict[str, list[float]]):
        self.vectors, self.encoded = vectors, []

    def encode(self, texts):
        self.encoded += texts
        return np.array([self.vectors[t] for t in texts], dtype=np.float32)


def test_tasks_reaching_open_seed_tasks_come_first_then_the_farthest_from_the_rows():
    space = Axes({"sql": [1, 0, 0, 0], "poem": [0, 1, 0, 0],
                  "sql and poem": [1, 1, 0.1, 0], "sql again": [1, 0, 0.1, 0], "a made row": [0, 0, 1, 0],
                  "near the row": [0, 0, 1, 0.2], "far from all": [0, 0, 0, 1], "poem, covered": [0, 1, 0, 0]})
    choice = Choice(["sql", "poem"], space, 0.7)
    tasks = ["near the row", "sql again", "far from all", "sql and poem"]
    order = choice.order(tasks, ["a made row"])
    # "sql and poem" reaches both; "sql again" then reaches nothing left open; "far from all"
    # is farther than "near the row" from the row and the pick.
    assert [(tasks[i], aim) for i, aim in order] == [("sql and poem", "sql"), ("far from all", None),
                                                     ("sql again", None), ("near the row", None)]
    covered = choice.order(tasks, ["a made row", "poem, covered"])  # a row covers "poem": both reach one
    assert covered[0] == (1, "sql") and sorted(i for i, _ in covered) == [0, 1, 2, 3]  # a tie goes to the earlier
    assert choice.order([], ["a made row"]) == []
    assert space.encoded.count("a made row") == 1  # the rows so far are embedded once, not every batch


def judged(tmp_path, embedder="static"):
    d = steering_dict()
    d["coverage_judge"] = {"embedder": embedder, "threshold": 0.7}
    return write(tmp_path, d)


def test_the_steering_file_names_how_coverage_was_judged_and_older_files_choose_nothing(tmp_path):
    assert load_steering(judged(tmp_path)).judge == ("static", 0.7)
    plain = load_steering(write(tmp_path, steering_dict(), "plain.json"))
    assert plain.judge is None and Choice.of(plain) is None
    assert set(load_steering(judged(tmp_path)).uncovered) == set(TOPIC)
    elsewhere = load_steering(judged(tmp_path, str(tmp_path / "gone")))
    with pytest.raises(DataError, match=r"steering.json: coverage_judge.embedder: names an embedder this machine"):
        Choice.of(elsewhere)


def script(tmp_path):
    """Lists whose last task is the one near an uncovered seed task (TOPIC[0])."""
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"delay": 0, "rules": [
        {"match": "come up with", "outputs": [
            "1. Describe {words} in two sentences.\n2. Explain why {words} matters to a beginner.\n"
            "3. Write a SQL query that lists the newest ten orders of {words}."]},
        {"match": "", "outputs": ["Input: <noinput>\nOutput: A good answer about {words}."]}]}))
    return path


def test_a_steered_round_asks_more_lists_and_answers_the_task_near_an_uncovered_seed_first(tmp_path, monkeypatch):
    monkeypatch.setattr(choosing, "load_embedder", lambda spec: BagOfWords())
    counts, firsts = {}, {}
    for name, steering in (("judged", judged(tmp_path)), ("unjudged", write(tmp_path, steering_dict(), "u.json"))):
        teacher = Recording(script(tmp_path))
        rows = load(generate(options(steering=str(steering), prompts_per_batch=2, num=2, steer_overask=3),
                             tmp_path / name, teacher=teacher).output).records
        counts[name] = sum("ome up with" in p for p in teacher.prompts)
        firsts[name] = rows[0]
    assert counts == {"judged": 6, "unjudged": 2}
    judged_first, unjudged_first = firsts["judged"].meta["steering"], firsts["unjudged"].meta["steering"]
    assert firsts["judged"].instruction.startswith("Write a SQL query") and judged_first["aimed_at"] == TOPIC[0]
    assert judged_first["chosen_among"] == 3
    assert "aimed_at" not in unjudged_first and "chosen_among" not in unjudged_first


def test_an_over_ask_past_max_batch_is_sent_in_calls_of_at_most_max_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(choosing, "load_embedder", lambda spec: BagOfWords())
    teacher = Recording(script(tmp_path))
    rows = load(generate(options(steering=str(judged(tmp_path)), prompts_per_batch=2, num=2, steer_overask=3,
                                 max_batch=5), tmp_path / "split", teacher=teacher).output).records
    assert sum("ome up with" in p for p in teacher.prompts) == 6
    assert teacher.calls[:2] == [5, 1]  # the task lists; the answers follow
    assert {r.meta["steering"]["chosen_among"] for r in rows} == {3}


@pytest.mark.parametrize("embedder, judge", [("static", {"embedder": "static", "threshold": 0.7}), (None, None)])
def test_the_audit_writes_its_embedder_and_threshold_where_it_loaded_the_embedder_by_name(embedder, judge):
    from curate.bias.steering import suggestions

    bias = {"axes": {}, "occupations": {}, "pronouns": {"under_represented": None}}
    coverage = {"threshold": 0.7, "missed_clusters": []}
    assert suggestions(bias, [], 10, {}, coverage, embedder).model_dump()["coverage_judge"] == judge

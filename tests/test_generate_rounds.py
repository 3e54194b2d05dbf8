"""Coverage-guided generation round by round: the rounds share one teacher, closed once, and
each round after the first is steered by what the run's loop hands it."""

import json

import pytest

from generate import stage
from generate.runner import generate
from seedling import load
from seedling.errors import ConfigError
from seedling.teachers.fake import FakeTeacher
from tests.helpers.fake_teacher import FAKE, Recording, options
from tests.helpers.steering import steering_dict, write


@pytest.fixture
def builds(monkeypatch):
    """Teachers the shared teacher builds, each a Recording."""
    made: list[Recording] = []

    def make(engine, model, **kw):
        assert engine == "fake"
        made.append(Recording())
        return made[-1]

    monkeypatch.setattr("seedling.teachers.shared.make_teacher", make)
    return made


def run_rounds(opts, out, rounds, after=lambda k, generated: None):
    """The run's loop: grow each round, and steer the next with what `after` returns."""
    with stage.Rounds(opts, out, rounds) as session:
        steering = opts.steering
        for k in range(1, rounds + 1):
            result = session.grow(k, steering)
            if k < rounds:
                given = after(k, result.output)
                steering = str(given) if given is not None else None
    return result


def test_two_rounds_share_one_teacher_and_steer_the_second(tmp_path, builds):
    path = write(tmp_path, steering_dict())
    calls = []

    def after(k, generated):
        calls.append((k, generated, len(load(generated).records)))
        return path

    result = run_rounds(options(num=13), tmp_path / "run", 2, after)
    rows = load(result.output).records
    assert len(rows) == 13 and len({r.id for r in rows}) == 13
    assert calls == [(1, tmp_path / "run" / "generate" / "generated.jsonl", 7)]  # ceil(13 / 2)
    assert ["steering" in r.meta for r in rows] == [False] * 7 + [True] * 6
    assert len(builds) == 1 and builds[0].closed == 1
    assert [(r.round, r.target, r.steering) for r in result.stats.rounds] == [(1, 7, None), (2, 13, str(path))]
    assert [r.accepted for r in result.stats.rounds] == [7, 6]
    assert all(r.rows_per_1k_tokens == round(1000 * r.accepted / r.tokens_out, 2) for r in result.stats.rounds)
    on_disk = json.loads((tmp_path / "run" / "generate" / "stats.json").read_text())
    assert on_disk["rounds"] == [r.model_dump() for r in result.stats.rounds]

    again = run_rounds(options(num=13), tmp_path / "run", 2, after)
    assert len(builds) == 1  # a finished run loads no teacher
    assert [r.id for r in load(again.output).records] == [r.id for r in rows]


def test_a_steered_method_runs_in_the_steered_rounds_only_and_the_run_resumes(tmp_path, builds):
    path = write(tmp_path, steering_dict())
    opts = options(num=13, steered_method="persona", steer_hints=0)
    result = run_rounds(opts, tmp_path / "run", 2, lambda k, generated: path)
    rows = load(result.output).records
    assert [r.meta["method"] for r in rows] == ["self-instruct"] * 7 + ["persona"] * 6
    assert ["persona" in r.meta for r in rows] == [False] * 7 + [True] * 6
    assert all(r.meta["steering"]["hints"] == [] and r.meta["steering"]["steered_examples"] for r in rows[7:])
    tasks = [p for p in builds[0].prompts if "ome up with" in p]
    assert any(" would ask an AI assistant to do" in p for p in tasks)
    assert not any("tasks about sql" in p for p in tasks)  # steer_hints 0: steered by the examples alone
    assert result.stats.method == "self-instruct, persona when steered"
    again = run_rounds(opts, tmp_path / "run", 2, lambda k, generated: path)
    assert len(builds) == 1 and [r.id for r in load(again.output).records] == [r.id for r in rows]
    with pytest.raises(ConfigError, match="steered_method"):
        generate(options(num=14, steering=str(path)), tmp_path / "run", teacher=Recording())


def test_the_teacher_is_closed_when_a_round_fails(tmp_path, builds):
    def after(k, generated):
        raise RuntimeError("audit failed")

    with pytest.raises(RuntimeError, match="audit failed"):
        run_rounds(options(num=6), tmp_path / "run", 3, after)
    assert len(builds) == 1 and builds[0].closed == 1


def test_a_round_without_steering_and_one_round(tmp_path, builds):
    result = run_rounds(options(num=5), tmp_path / "run", 2)
    second = result.stats.rounds[1]
    assert (second.round, second.target, second.steering) == (2, 5, None)
    assert stage.round_targets(10, 3) == [4, 7, 10] and stage.round_targets(1, 3) == [1, 1, 1]
    with pytest.raises(ConfigError, match="rounds must be at least 1"):
        stage.Rounds(options(), tmp_path / "x", 0)


def test_describe_names_the_fake_teacher_without_building_it(builds):
    facts = stage.STAGE.describe(options())
    assert facts["engine"] == "fake" and facts["revision"] == FakeTeacher(str(FAKE)).info.revision
    assert builds == []


def test_a_run_stopped_inside_round_two_resumes_it(tmp_path, builds):
    generate(options(num=9), tmp_path / "run", teacher=Recording())  # as if killed after 9 of 13 rows
    path = write(tmp_path, steering_dict())
    result = run_rounds(options(num=13), tmp_path / "run", 2, lambda k, p: path)
    rows = load(result.output).records
    assert len(rows) == 13 and ["steering" in r.meta for r in rows] == [False] * 9 + [True] * 4
    assert len(builds) == 1

"""Coverage-guided generation with the scripted fake teacher: steering.json in, steered prompts
and row provenance out (the rounds sharing one teacher: tests/test_generate_rounds.py)."""

import random
import re

import pytest
import typer
from typer.testing import CliRunner

from generate.cli import register
from generate.prompts import load_template
from generate.runner import generate
from generate.steering import Region, Steering, by_region, hints_for, load_steering, rotation
from seedling import load
from seedling.errors import ConfigError, DataError
from seedling.people import about_people
from tests.helpers.paths import SEED_TASKS
from tests.helpers.fake_teacher import FAKE, Recording, options
from tests.helpers.steering import HINTS, SPARSE, TOPIC, steering_dict, write

def test_load_v2_pools_examples_and_hints(tmp_path):
    s = load_steering(write(tmp_path, steering_dict()))
    assert s.examples == (*TOPIC, *SPARSE)
    assert s.hints == tuple(HINTS)  # missing topics, groups, pronouns; sparse requests are examples instead
    assert s.people_hints == tuple(HINTS[1:])
    assert len(s.sha256) == 16


def test_load_v1_uses_the_cut_examples_and_allows_null_pronouns(tmp_path):
    d = steering_dict(version=1)
    d["pronouns"] = None
    s = load_steering(write(tmp_path, d))
    assert s.examples == ("Write a poem ...",) and s.hints == tuple(HINTS[1:3])


@pytest.mark.parametrize("content, match", [
    ("{not json", r"steering.json: not JSON"),
    ("[1, 2]", r"steering.json: a steering file is a JSON object, got list"),
    ({**steering_dict(), "under_represented_groups": {"age": 1}}, r"steering.json: under_represented_groups: "),
    ({**steering_dict(), "pronouns": {"female": 3}}, r"steering.json: pronouns.request: field required"),
    ({**steering_dict(), "version": 7}, r"steering.json: version: version 7 is not one this seedling reads"),
])
def test_a_bad_steering_file_is_named(tmp_path, content, match):
    with pytest.raises(DataError, match=match):
        load_steering(write(tmp_path, content))


def test_a_bad_steering_file_stops_a_run_before_the_teacher(tmp_path):
    bad = write(tmp_path, "{oops", "bad-steering.json")
    teacher = Recording()
    with pytest.raises(DataError, match=r"bad-steering.json: not JSON"):
        generate(options(steering=str(bad)), tmp_path / "run", teacher=teacher)
    with pytest.raises(DataError, match=r"missing.json: cannot read"):
        generate(options(steering=str(tmp_path / "missing.json")), tmp_path / "run", teacher=teacher)
    assert teacher.prompts == []


def test_rotation_gives_neighbouring_prompts_different_groups():
    chosen = rotation(tuple(HINTS), random.Random(0), slots=4, per=2)
    assert all(len(set(c)) == 2 for c in chosen)
    assert chosen[0] != chosen[1] and set(chosen[0] + chosen[1]) == set(HINTS)
    assert rotation((), random.Random(0), 3, 2) == [[], [], []]
    assert rotation(("a",), random.Random(0), 2, 5) == [["a"], ["a"]]


UNSTEERED = """You are asked to come up with a set of 3 diverse task instructions for a language model.

Requirements:
- Do not repeat the verb across instructions, and vary the wording.
- Vary the type of task: open-ended generation, classification, editing, rewriting, extraction, brainstorming, \
question answering, reasoning, and so on.
- A text-only language model must be able to do the task: no images, drawings, audio, video, files or browsing.
- Each instruction is in English and is one or two sentences long.

Here are some examples of tasks:
1. Sort the list.
2. Name a bird.

Write 3 new tasks, different from the examples, as a numbered list with one task per line. Write only the list."""


def test_unsteered_prompts_render_as_before_steering_existed():
    tasks = load_template("self_instruct_tasks")
    assert tasks.render(examples=["Sort the list.", "Name a bird."], num_tasks=3, hints=[]) == UNSTEERED
    broaden = load_template("evol_broaden").render(instruction="Name a bird.", hints=[])
    assert broaden.endswith("Given prompt:\nName a bird.\n\nWrite only the new prompt.")


def examples_and_hints(prompt: str) -> tuple[str, list[str]]:
    """A task prompt's numbered example lines, and the hints it quotes outside them."""
    lines = prompt.splitlines()
    examples = [line for line in lines if re.match(r"\d+\. ", line)]
    rest = "\n".join(line for line in lines if line not in examples)
    return "\n".join(examples), [h for h in HINTS if h in rest]


POEMS = ["Write a limerick about a cat.", "Write a haiku about rain.", "Write a sonnet about the moon."]


def two_regions() -> dict:
    d = steering_dict()
    d["missing_topics"].append({"label": ["poem"], "size": 5, "instructions": POEMS, "central": POEMS[0],
                                "request": 'tasks like "Write a limerick about a cat."'})
    return d


@pytest.mark.parametrize("tasks_prompt", ["continue", "chat"])
def test_each_steered_prompt_steers_toward_one_region_with_its_examples_and_hint(tmp_path, tasks_prompt):
    path = write(tmp_path, two_regions())
    teacher = Recording()
    rows = load(generate(options(steering=str(path), tasks_prompt=tasks_prompt, prompts_per_batch=4), tmp_path / "run",
                         teacher=teacher).output).records
    tasks = [p for p in teacher.prompts if "ome up with" in p]
    regions = {HINTS[0]: TOPIC, 'tasks like "Write a limerick about a cat."': POEMS}
    seen = set()
    for prompt in tasks:
        shown, _ = examples_and_hints(prompt)
        hint = next(h for h in regions if h in prompt)
        seen.add(hint)
        other = next(e for h, e in regions.items() if h != hint)
        assert sum(f". {e}" in shown for e in regions[hint]) == min(3, len(regions[hint]))
        assert not any(f". {e}" in shown for e in [*other, *SPARSE])  # one region a prompt, no sparse examples
        assert not any(f"- {h}" in prompt or h in prompt.splitlines()[0] for h in set(regions) - {hint})
    assert seen == set(regions)  # the regions take turns over the prompts
    people = [p for p in tasks if any(h in p for h in HINTS[1:])]
    assert all(about_people(examples_and_hints(p)[0]) for p in people)
    steering = rows[0].meta["steering"]
    assert steering["file_sha256"] == load_steering(path).sha256 and steering["steered_examples"] in (2, 3)
    assert steering["hints"][0] in regions and len(steering["hints"]) <= 2
    assert all(len(r.meta["examples"]) == 8 - r.meta["steering"]["steered_examples"] for r in rows)
    assert teacher.closed == 0  # the caller's teacher is left open


def test_a_file_without_missing_topics_steers_with_its_examples_and_hints(tmp_path):
    d = steering_dict()
    d["missing_topics"] = []
    teacher = Recording()
    generate(options(steering=str(write(tmp_path, d))), tmp_path / "run", teacher=teacher)
    tasks = [p for p in teacher.prompts if "ome up with" in p]
    assert tasks and all(f". {SPARSE[0]}" in p for p in tasks)
    quoted = {h for p in tasks for h in examples_and_hints(p)[1]}
    assert quoted and quoted <= set(HINTS[1:])


def test_requests_about_people_go_only_to_prompts_about_people():
    steering = Steering("s.json", "0" * 16, (), ("tasks about sql", 'a variant with a woman: "..."'),
                        ('a variant with a woman: "..."',))
    hints = hints_for(steering, random.Random(0), ["Sort these numbers.", "Write a bio of the nurse."], 2)
    assert hints[0] == ["tasks about sql"] and sorted(hints[1]) == sorted(steering.hints)


def test_by_region_quotes_requests_about_people_only_beside_people():
    steering = Steering("s.json", "0" * 16, (), (), ('a variant with a woman: "..."',),
                        (Region('tasks like "Sort numbers."', ("Sort numbers.", "Sort words.")),))
    out = by_region(steering, random.Random(0), ["Name a bird.", "Write a bio of the nurse."], 3, 2)
    assert out[0] == (out[0][0], ['tasks like "Sort numbers."'])
    assert sorted(out[0][0]) == ["Sort numbers.", "Sort words."]
    assert out[1][1] == ['tasks like "Sort numbers."', 'a variant with a woman: "..."']
    assert by_region(steering, random.Random(0), ["x"], 1, 0)[0][1] == []


def test_a_region_with_targets_aims_each_prompt_at_its_next_target_shown_last_after_its_neighbours():
    targets = (("Sort numbers.", ("Sort words.", "Sort dates.", "Order names.")),
               ("Rank cities.", ("Rank rivers.", "Sort words.", "Order names.")))
    region = Region('tasks like "Sort numbers."', ("Sort numbers.", "Rank cities."), targets)
    steering = Steering("s.json", "0" * 16, (), (region.hint,), (), (region,))
    out = by_region(steering, random.Random(0), ["a", "b", "c"], 3, 1)
    shown = [examples for examples, _ in out]
    assert {tuple(s) for s in shown[:2]} == {("Sort dates.", "Sort words.", "Sort numbers."),
                                             ("Sort words.", "Rank rivers.", "Rank cities.")}
    assert shown[2] == shown[0]  # the targets take turns
    assert all(lines == [region.hint] for _, lines in out)


def test_unsteered_rows_have_no_steering_key(tmp_path):
    teacher = Recording()
    rows = load(generate(options(num=3), tmp_path / "run", teacher=teacher).output).records
    assert all("steering" not in r.meta for r in rows)
    assert not any("still lacks" in p for p in teacher.prompts)


def test_steered_evol_instruct_prefers_steering_parents_and_hints_broaden(tmp_path):
    seeds = load(SEED_TASKS).records
    picked = {r.instruction: r.id for r in seeds[:2]}
    d = steering_dict()
    d["sparse_clusters"][0]["instructions"] = list(picked)  # pool records, found by their text
    teacher = Recording()
    result = generate(options(method="evol-instruct", num=8, steering=str(write(tmp_path, d))), tmp_path / "run",
                      teacher=teacher)
    rows = load(result.output).records
    steered = [r for r in rows if r.meta["steering"]["steered_examples"]]
    assert steered and all(r.meta["examples"][0] in picked.values() for r in steered)
    broaden = [p for p in teacher.prompts if p.startswith("I want you to act as a prompt creator")]
    assert broaden
    for p in broaden:  # a people request only where the parent is about people
        quoted = {h for h in HINTS if f"- {h}" in p}
        assert bool(quoted) == ("which the collection of prompts still lacks:" in p)
        assert not quoted & set(HINTS[1:]) or about_people(p.split("still lacks")[0])
    deepen = [p for p in teacher.prompts if p.startswith("I want you to act as a prompt rewriter")]
    assert deepen and not any("still lacks" in p for p in deepen)
    assert all(r.meta["steering"]["hints"] == [] for r in rows if r.meta["evolution"].startswith("deepen"))


def test_a_copied_template_without_hints_is_refused_when_steering(tmp_path):
    old = tmp_path / "old_tasks.jinja"
    old.write_text(UNSTEERED)
    path = write(tmp_path, steering_dict())
    with pytest.raises(ConfigError, match=r"old_tasks.jinja does not use `hints`.*self_instruct_tasks.jinja"):
        generate(options(steering=str(path), tasks_template=str(old), tasks_prompt="chat"), tmp_path / "run",
                 teacher=Recording())
    rows = load(generate(options(steering=str(path), tasks_template=str(old), tasks_prompt="chat", steer_hints=0,
                                 num=2),
                         tmp_path / "run", teacher=Recording()).output).records
    assert rows[0].meta["steering"]["hints"] == []


def test_steering_may_change_on_resume_but_steer_counts_may_not(tmp_path):
    generate(options(num=4), tmp_path / "run", teacher=Recording())
    path = write(tmp_path, steering_dict())
    rows = load(generate(options(num=8, steering=str(path)), tmp_path / "run", teacher=Recording()).output).records
    assert ["steering" in r.meta for r in rows] == [False] * 4 + [True] * 4
    with pytest.raises(ConfigError, match=r"changed: steer_examples"):
        generate(options(num=8, steer_examples=1), tmp_path / "run", teacher=Recording())


def test_cli_steering_flag(tmp_path):
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    path = write(tmp_path, steering_dict())
    result = CliRunner().invoke(app, ["generate", "--seeds", str(SEED_TASKS), "--num", "3", "--out",
                                      str(tmp_path / "r"), "--engine", "fake", "--model", str(FAKE),
                                      "--steering", str(path)])
    assert result.exit_code == 0, result.output
    rows = load(tmp_path / "r" / "generate" / "generated.jsonl").records
    assert all(r.meta["steering"]["file_sha256"] == load_steering(path).sha256 for r in rows)


def test_a_steered_batch_takes_its_first_rows_from_different_prompts_an_unsteered_one_from_the_first(tmp_path):
    path = write(tmp_path, steering_dict())
    first = {}
    for name, steering in (("steered", str(path)), ("unsteered", None)):
        rows = load(generate(options(steering=steering, prompts_per_batch=4, num=2), tmp_path / name,
                             teacher=Recording()).output).records
        first[name] = len({tuple(r.meta["examples"]) for r in rows})  # a prompt's examples name it
    assert first == {"steered": 2, "unsteered": 1}

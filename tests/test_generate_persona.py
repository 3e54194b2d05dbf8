"""Persona-driven generation with the scripted fake teacher: a persona in every task prompt and
in each row's provenance, groups of one axis taking turns, and refusals named."""

import random
from collections import Counter

import pytest

from generate.personas import Personas, describe, descriptors_by_group
from generate.runner import generate
from seedling import load
from seedling.errors import ConfigError
from tests.helpers.fake_teacher import Recording, options


def test_personas_come_from_the_lexicon_without_dispreferred_terms():
    axes = descriptors_by_group()
    assert {"gender", "age", "disability", "religion"} <= set(axes)
    assert set(axes["gender"]) == {"female", "male", "non_binary_or_gnc", "transgender"}
    everything = {d for groups in axes.values() for ds in groups.values() for d in ds}
    assert "Deaf" in everything and "retarded" not in everything and "wheelchair-bound" not in everything
    assert describe("disability", "auditory", "Deaf", "nurse").text == "a Deaf nurse"
    assert describe("age", "old", "elderly", "engineer").text == "an elderly engineer"
    assert describe("gender", "female", "woman", "ceo").text == "a woman who works as a CEO"


def test_an_axis_gives_each_group_the_same_number_of_prompts():
    drawn = Personas("gender").draw(random.Random(0), 10)
    assert {p.axis for p in drawn} == {"gender"}
    assert sorted(Counter(p.group for p in drawn).values()) == [2, 2, 3, 3]
    unbalanced = Personas().draw(random.Random(0), 40)
    assert len({p.axis for p in unbalanced}) > 3 and len({p.text for p in unbalanced}) == 40


def test_an_unknown_axis_is_named():
    with pytest.raises(ConfigError, match=r"persona_axis: 'hair' is not an axis of the bias audit; choose one of"):
        Personas("hair")


@pytest.mark.parametrize("tasks_prompt", ["continue", "chat"])
def test_each_prompt_carries_a_persona_and_each_row_records_it(tmp_path, tasks_prompt):
    teacher = Recording()
    rows = load(generate(options(method="persona", persona_axis="age", tasks_prompt=tasks_prompt), tmp_path / "run",
                         teacher=teacher).output).records
    tasks = [p for p in teacher.prompts if "ome up with" in p]
    assert tasks and all(" would ask an AI assistant to do" in p for p in tasks)
    personas = [r.meta["persona"] for r in rows]
    assert all(p["axis"] == "age" and any(p["text"] in t for t in tasks) for p in personas)
    assert len({p["text"] for p in personas}) > 1
    assert rows[0].meta["method"] == "persona" and rows[0].meta["templates"]["tasks"]["name"].startswith("persona_")


def test_a_template_without_persona_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"template self_instruct_continue does not use `persona`"):
        generate(options(method="persona", tasks_template="self_instruct_continue"), tmp_path / "run",
                 teacher=Recording())


def test_plain_self_instruct_rows_have_no_persona(tmp_path):
    rows = load(generate(options(), tmp_path / "run", teacher=Recording()).output).records
    assert all("persona" not in r.meta for r in rows)


def test_the_audit_shows_the_persona_axis_a_run_was_balanced_over(tmp_path):
    from curate.options import CurateOptions
    from curate.outputs import write_report
    from curate.pipeline import curate
    from tests.helpers.embedders import BagOfWords

    rows = load(generate(options(method="persona", persona_axis="gender", num=12, prompts_per_batch=8),
                         tmp_path / "run", teacher=Recording()).output).records
    result = curate(rows, CurateOptions(cache=str(tmp_path / "cache"), semantic_threshold=0.95), embedder=BagOfWords())
    personas = result.audit.bias.personas
    assert personas["rows"] == 12 and list(personas["axes"]) == ["gender"]
    assert sum(personas["axes"]["gender"].values()) == 12 and len(personas["axes"]["gender"]) >= 3
    write_report(result, tmp_path / "audit", "persona rows")
    page = (tmp_path / "audit" / "audit.html").read_text()
    assert "Personas the rows were generated for (12 rows" in page and "<b>gender</b> female" in page
    plain = curate(load(generate(options(num=4), tmp_path / "plain", teacher=Recording()).output).records,
                   CurateOptions(cache=str(tmp_path / "cache"), semantic_threshold=0.95), embedder=BagOfWords())
    assert plain.audit.bias.personas is None

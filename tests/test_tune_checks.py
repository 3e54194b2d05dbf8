"""Verifiable instruction checks: each finds its constraint and scores answers by code."""

import json

import pytest

from tune.checks import constraints, score
from tune.evaluate import constraint_prompts
from tests.helpers.paths import SEED_TASKS


@pytest.mark.parametrize(
    "instruction, output, expected",
    [
        ("Describe rain in no more than 5 words.", "Water falls from clouds.", {"max_words": True}),
        ("Describe rain in no more than 5 words.", "Water falls from the grey clouds.", {"max_words": False}),
        ("Answer in 3 words or less.", "", {"max_words": False}),
        ("List fruits in exactly two bullet points.", "- apple\n- pear", {"bullet_points": True}),
        ("List fruits in exactly two bullet points.", "* apple\n* pear\n* fig", {"bullet_points": False}),
        ("Give 3 bullet points.", "1. a\n2. b\n3. c", {"bullet_points": True}),
        ("Return the data as JSON.", '```json\n{"a": 1}\n```', {"json_format": True}),
        ("Return the data as JSON.", "a: 1", {"json_format": False}),
        ("Write a slogan. Include the word green.", "Go Green today!", {"include_word": True}),
        ("Write a slogan. Include the word green.", "Go evergreen!", {"include_word": False}),
        ("Say hi in all lowercase letters.", "hi there", {"lowercase": True}),
        ("Say hi in all lowercase letters.", "Hi there", {"lowercase": False}),
        ("Write a sign in capital letters.", "STOP HERE", {"uppercase": True}),
        ("Write a poem about the sea.", "anything", {}),
    ],
)
def test_checks_find_and_score_constraints(instruction, output, expected):
    assert score(instruction, output) == expected


def test_every_shipped_constraint_prompt_states_one_constraint():
    prompts = constraint_prompts()
    assert len(prompts) == 16
    assert all(len(constraints(p.instruction)) == 1 for p in prompts)


def test_few_seed_tasks_state_a_checkable_constraint():
    # The checks must not fire on ordinary instructions; on the seed tasks they are rare.
    instructions = [json.loads(line)["instruction"] for line in SEED_TASKS.read_text().splitlines()]
    assert sum(bool(constraints(i)) for i in instructions) <= 5

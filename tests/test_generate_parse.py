"""Parsing teacher output and the online filters, on scripted text."""

import random

import pytest

from generate.filters import Origin, instruction_filters, first_rejection
from generate.parse import instance, list_items, rewritten
from generate.similarity import make_index
from seedling.rouge import bitmasks, lcs_length, near_any, tokens


def test_list_items_in_several_styles():
    text = "Here you go:\n1. Sort the list.\n2) Name a fruit.\n  3: Translate \"hi\" to French.\n**4.** Explain rain."
    assert list_items(text, cut_off=False) == [
        "Sort the list.", "Name a fruit.", 'Translate "hi" to French.', "Explain rain."]


def test_last_item_dropped_when_cut_off_and_no_list_is_unparsable():
    assert list_items("1. Sort the list.\n2. Compare the", cut_off=True) == ["Sort the list."]
    assert list_items("Sorry, I cannot help.", cut_off=False) == []


def test_items_end_at_a_blank_line_so_a_trailing_remark_or_repeat_is_no_item():
    text = "1. Write a story.\n2. Name three rivers.\n\nThese tasks are designed to help.\n1. Write a story.\n2. Na"
    assert list_items(text, cut_off=True) == ["Write a story.", "Name three rivers.", "Write a story."]
    assert list_items("1. Sort it.\n2. Name a city in Peru.\n\nHope this hel", cut_off=True) == [
        "Sort it.", "Name a city in Peru."]


def test_instance_markers_noinput_and_direct_answers():
    assert instance("Input: <noinput>\nOutput: Paris.") == ("", "Paris.")
    assert instance("Input: 2, 3\nOutput: 5") == ("2, 3", "5")
    assert instance("The capital is Paris.") == ("", "The capital is Paris.")
    assert instance("Input: a text but no answer") is None


def test_rewritten_strips_labels():
    assert rewritten("Rewritten prompt: Explain tides to a child.") == "Explain tides to a child."


@pytest.mark.parametrize("text, reason", [
    ("Sort.", "too_short"),
    (" ".join(["word"] * 151), "too_long"),
    ("Draw a map of your town.", "blocklisted_keyword"),
    ("Write a program that sorts numbers.", "blocklisted_prefix"),
    ("- Sort these numbers please now.", "leading_punctuation"),
    ("Ã©crire un poème sur la mer.", "non_english_start"),
    ("Give three tips for staying healthy.", "echo_example"),
    ("Write only the list of tasks.", None),
    ("Explain why the sky looks blue at noon.", None),
    ("Solve 2x + 3 = 7 for x.", None),
    ("Sum 12 + 345 + 6789 + 1011 = ?", "mostly_non_text"),
])
def test_instruction_filters_name_their_reason(text, reason):
    origin = Origin(("Give three tips for staying healthy.",), "Tasks:\n1. ...\nWrite only the list.")
    assert first_rejection(instruction_filters(4, 150, None), text, origin) == reason


def test_echo_of_prompt_line_is_rejected():
    origin = Origin((), "Vary the type of task: classification, editing, rewriting.")
    assert first_rejection(instruction_filters(4, 150, None), "Vary the type of task: classification, editing.",
                           origin) == "echo_prompt"


def test_a_task_glued_to_a_copied_prompt_line_is_an_echo():
    origin = Origin((), "Requirements:\n- Do not repeat the verb across instructions, and vary the wording.")
    text = "Name three rivers. Do not repeat the verb across instructions, and vary the wording."
    assert first_rejection(instruction_filters(4, 150, None), text, origin) == "echo_prompt"
    assert first_rejection(instruction_filters(4, 150, None), "Name three rivers in Europe.", origin) is None


def test_bit_parallel_lcs_matches_dynamic_programming():
    def dp(a, b):
        m = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                m[i + 1][j + 1] = m[i][j] + 1 if x == y else max(m[i][j + 1], m[i + 1][j])
        return m[-1][-1]

    rng = random.Random(0)
    for _ in range(500):
        a, b = rng.choices("abcdef", k=rng.randint(1, 40)), rng.choices("abcdef", k=rng.randint(1, 40))
        assert lcs_length(bitmasks(a), len(a), b) == dp(a, b)
    sea, sky = tokens("Write a poem about the sea."), tokens("write a poem about the sky")  # ROUGE-L F1 5/6
    assert near_any(sea, [sky], 5 / 6 - 1e-9) and not near_any(sea, [sky], 5 / 6 + 1e-9)


@pytest.mark.parametrize("kind", ["minhash", "rouge"])
def test_near_duplicate_checks_agree(kind):
    index = make_index(kind, 0.7)
    for text in ["Write a short poem about the sea at night.", "List three uses of baking soda at home.",
                 "Translate the sentence into French."]:
        index.add(text)
    assert index.is_duplicate("Write a short poem about the sea at dawn.")
    assert index.is_duplicate("list three uses of baking soda in the home")
    assert not index.is_duplicate("Explain how a bicycle gear works.")
    assert not index.is_duplicate("!!!")


def test_bullets_are_items_only_where_nothing_is_numbered():
    assert list_items("Tasks:\n- Sort the list.\n* Name a fruit.\n\u2022 Explain rain.", cut_off=False) == [
        "Sort the list.", "Name a fruit.", "Explain rain."]
    assert list_items("1. Sort the list, keeping:\n- ties in order\n2. Name a fruit.", cut_off=False) == [
        "Sort the list, keeping: - ties in order", "Name a fruit."]
    assert list_items("- Sort the list.\n- Compare the", cut_off=True) == ["Sort the list."]

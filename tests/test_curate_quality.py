"""Heuristic quality checks and the --min-quality filter."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedling import quality
from curate.options import CurateOptions
from curate.pipeline import curate
from seedling.record import Record
from tests.helpers.embedders import BagOfWords

GOOD = Record("Name three primary colours.", "Red, yellow and blue.")


@pytest.mark.parametrize("record, flag", [
    (Record("Write a poem.", "As an AI language model, I cannot write poems."), "refusal"),
    (Record("Explain gravity.", "I'm sorry, but I can't help with that."), "refusal"),
    (Record("Summarize the text.", "N/A", input="A long text about the history of tea in China."), "unanswered"),
    (Record("Fix the grammar.", "He go to school every day by bus.", input="He go to school every day by bus."), "unanswered"),
    (Record("Write a short story about a dragon.", "Write a short story about a dragon."), "echoes_instruction"),
    (Record("Describe the sea.", " ".join(["the sea is blue"] * 20)), "repetitive"),
    (Record("Answer yes or no.", "..."), "no_content"),
])
def test_each_check_flags_its_case(record, flag):
    score, flags = quality.score(record)
    assert flag in flags and score < 1.0


def test_good_rows_and_idioms_are_not_flagged():
    assert quality.score(GOOD) == (1.0, [])
    assert quality.score(Record("Write a metaphor.", "I can't help but be drawn to her."))[1] == []
    assert quality.score(Record("Pick A, B, C or D.", "D"))[1] == []


def test_min_quality_removes_with_the_reason(tmp_path):
    rows = [GOOD, Record("Write a poem.", "As an AI language model, I cannot write poems.")]
    result = curate(rows, CurateOptions(cache=str(tmp_path), semantic_threshold=0.95, min_quality=0.5),
                    embedder=BagOfWords())
    assert [r.instruction for r in result.kept] == [GOOD.instruction]
    gone = result.removed[0]
    assert gone.extra["removed_by"] == "quality" and "refusal" in gone.extra["reason"]
    assert gone.extra["flags"] == ["refusal"] and gone.extra["quality"] == 0.4
    assert result.kept[0].extra["quality"] == 1.0 and "flags" not in result.kept[0].extra


def test_not_run_names_the_judge_only_when_it_did_not_run():
    from curate.steps.audit import not_run

    assert "llm_judge" in not_run({"learned": {}}) and "llm_judge" not in not_run({"judge": {}})


PHRASES = ["As an AI", "as a language model", "I'm sorry", "I’m unable", "I am sorry", "i can't help", "I cannot assist",
           "I can’t do that", "I can't help but", "I do not have access", "my knowledge cutoff", "MY CUTOFF", "as an aide",
           "such as a", "Sorry,", "unable", "i cannot", "do not have", "Aſ an AI", "I caN'T PROVIDE"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PHRASES) | st.text(alphabet=" .,'’abinscIAM\n", max_size=8), max_size=6))
def test_refusal_settled_without_the_pattern_is_the_pattern(pieces):
    """An ASCII text holding none of the words every match holds is settled without the search."""
    from seedling.refusal import PATTERN, is_refusal

    text = " ".join(pieces)
    assert is_refusal(text) == bool(PATTERN.search(text))


@pytest.mark.parametrize("text", ["", "...", "_", "__ --", "é", "٣", "a", " \n_x"])
def test_no_content_is_no_alphanumeric_character(text):
    assert quality.CHECKS["no_content"][0](Record("Q?", text)) == (not any(ch.isalnum() for ch in text))


WORDS = st.lists(st.sampled_from(["the", "sea", "is", "blue", "The", "SEA", "é", "ß", "x_1", "--", "٣",
                                  *(f"w{k}" for k in range(40))]), max_size=80)


@settings(max_examples=300, deadline=None)
@given(WORDS)
def test_repetition_settled_by_distinct_words_is_the_3gram_share(ws):
    """An output with enough distinct words is passed without building its 3-grams."""
    from seedling.quality.read import words

    text = " ".join(ws)
    tokens = words(text)
    share = 1 - len(set(zip(tokens, tokens[1:], tokens[2:]))) / (len(tokens) - 2) if len(tokens) >= 30 else 0.0
    assert quality.CHECKS["repetitive"][0](Record("Q?", text)) == (share > 0.5)


@settings(max_examples=300, deadline=None)
@given(WORDS, WORDS, st.sampled_from(["", " ", "!", "\n", ".."]))
def test_copied_input_settled_by_its_first_word_is_the_normal_form(out, given_input, lead):
    """An input whose first word differs from the output's is settled without reading it all."""
    from seedling.quality.unanswered import PLACEHOLDERS
    from seedling.text import normalize

    output = " ".join(out)
    for text in (lead + " ".join(given_input), lead + output.upper(), lead + output + " x"):
        expected = normalize(output) in PLACEHOLDERS or (
            bool(text.strip()) and len(normalize(output)) > 20 and normalize(output) == normalize(text))
        assert quality.CHECKS["unanswered"][0](Record("Q?", output, input=text)) == expected


@settings(max_examples=300, deadline=None)
@given(WORDS, WORDS, st.sampled_from(["", " ", "!", "\n", ".."]))
def test_echo_settled_by_the_instructions_first_word_is_the_normal_form(out, instruction, lead):
    """An instruction whose first word does not begin the output is settled without reading it all."""
    from seedling.text import normalize

    output = " ".join(out)
    for text in (lead + " ".join(instruction), lead + output.upper(), lead + output + " x", output[:len(output) // 2]):
        o, i = normalize(output), normalize(text)
        expected = len(o) > 10 and len(i) > 10 and (o == i or (o.startswith(i) and len(o) < 1.2 * len(i)))
        assert quality.CHECKS["echoes_instruction"][0](Record(text, output)) == expected

"""What the semantic tier compares: content words that turn one task into another, near copies
with the same long answer, pools of prompts without answers, and a forced choice of fields."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from curate.dedup.compare import compare
from curate.dedup.content import swapped
from curate.dedup.prompts import analyse
from seedling.embedders import Calibration
from curate.options import CurateOptions
from curate.pipeline import curate
from seedling.record import Record
from tests.data.curate.planted import seed_records
from tests.helpers.embedders import BagOfWords

ANSWER = ("Start the day with oats, then walk for thirty minutes, drink water through the afternoon and "
          "go to bed at the same time every night so that the body keeps a steady rhythm.")


def run(records, tmp_path, **opts):
    opts.setdefault("semantic_threshold", 0.6)
    return curate(records, CurateOptions(cache=str(tmp_path / "cache"), **opts), embedder=BagOfWords())


def semantic(result):
    return result.dedup.tier("semantic")


@pytest.mark.parametrize("a, b, answers, kind", [
    ("Is it safe for dogs to eat grapes?", "Is it safe for dogs to eat chocolate?",
     ("No, grapes can cause kidney failure in dogs.", "No, chocolate is toxic to dogs because of theobromine."),
     "entity"),
    ("Who won season 2 of the show?", "Who won season 1 of the show?", None, "number"),
    ("Who won season 2 of the show?", "Who won the show?", ("Ana won it.", "Ben won it in the end."), "number"),
    ("Name the capital of Austria.", "Name the capital of Australia.", None, "named"),
    ("Give me three tips for sleep.", "Give me five tips for sleep.", None, "number"),
    ("How do I learn Python quickly?", "How can I learn Java quickly?", None, "named"),
    ("What are the best books by this author?", "What are the best movies by this author?", None, "entity"),
    ("Classify each as imperial or metric: foot, metre", "Classify each as imperial or metric: yard, metre",
     ("The foot is imperial, the metre is metric.", "The yard is imperial, the metre is metric."), "entity"),
])
def test_a_swapped_entity_number_or_name_is_seen(a, b, answers, kind):
    found = swapped(a, b, *(answers or (None, None)))
    assert found and found.startswith(kind)


@pytest.mark.parametrize("a, b, answers", [
    ("Create a list of tips for staying healthy.", "Generate a list of tips to stay healthy.",
     ("Eat well and sleep.", "Sleep and eat well.")),
    ("What is the capital of France?", "What's France's capital city?", None),
    ("Which one is a fruit?", "Which is a fruit?", None),
    ("Create a list of tips for a healthy life.", "Generate a list of tips for a healthy life.", None),
    # news paraphrases: a detail one side adds, a name in another form
    ("Study finds opium makes up half of Afghanistan's gross domestic product.",
     "The report said opium accounted for more than half of Afghanistan's gross domestic product in 2007.", None),
    ("This is the fourth Australian soldier to die in the conflict in Afghanistan.",
     "This is the fourth Australian troop to die in the Afghan conflict.", None),
])
def test_synonyms_and_rewordings_are_not_a_swap(a, b, answers):
    assert swapped(a, b, *(answers or (None, None))) is None


def test_an_entity_swapped_in_question_and_answer_is_two_tasks(tmp_path):
    rows = [Record("Is it safe for dogs to eat grapes or not?",
                   "No, it is not safe: grapes can make dogs very ill."),
            Record("Is it safe for dogs to eat chocolate or not?",
                   "No, it is not safe: chocolate can make dogs very ill."),
            *seed_records()[:10]]
    result = run(rows, tmp_path, tiers=["semantic"])
    assert not result.dedup.removed_indices() & {0, 1}
    assert semantic(result).details["close_pairs_not_duplicates"]["content_differs"] == 1
    paraphrase = [rows[0], Record("Is it safe or not for dogs to eat grapes?", "No, it is not safe, grapes can make "
                                                                                 "dogs very ill indeed.")]
    removed = run(paraphrase + seed_records()[:10], tmp_path, tiers=["semantic"]).dedup.removed_indices()
    assert len(removed & {0, 1}) == 1


def test_reasons_name_only_the_parts_compared(tmp_path):
    rows = [Record("Write a friendly note thanking a colleague for help.", ANSWER),
            Record("Write a friendly note thanking a coworker for help.", ANSWER),
            Record("Summarise the text.", ANSWER, input="A long text about oats and sleep and water."),
            Record("Summarise this text.", ANSWER, input="A long text about oats and sleep and the water."),
            *seed_records()]
    result = run(rows, tmp_path, tiers=["semantic"], semantic_threshold=0.5)
    reasons = {r.index: r.reason for r in semantic(result).removals}
    assert reasons.keys() & {0, 1} and reasons.keys() & {2, 3}
    for row, reason in reasons.items():
        if row in (0, 1):
            assert reason.startswith("semantic: instruction, output cosine") and "input" not in reason
        if row in (2, 3):
            assert reason.startswith("semantic: instruction, input, output cosine")


def test_same_long_answer_and_a_two_word_edit_is_a_near_duplicate():
    rows = [Record("Suggest a daily routine for better health.", ANSWER),
            Record("a Suggest routine for better health.", ANSWER),
            Record("a Suggest routine for better health.", "Walk more.")]
    anatomy = analyse(rows)
    verdict = compare(anatomy, 0, 1, 0.7)
    assert verdict.kind == "duplicate" and "words agree" in verdict.detail
    assert compare(anatomy, 0, 2, 0.7) is None  # another answer: nothing to go on


def test_alike_answers_that_follow_a_swapped_word_are_two_tasks():
    ask = "Classify each of these as imperial or metric units: {}, metre"
    said = "{} is an imperial unit and metre is a metric unit of length"
    rows = [Record(ask.format("foot"), said.format("foot")), Record(ask.format("yard"), said.format("yard")),
            Record(ask.format("yard"), said.format("foot"))]
    anatomy = analyse(rows)
    verdict = compare(anatomy, 0, 1, 0.7)
    assert verdict.kind == "distinct" and "foot / yard" in verdict.detail
    assert compare(anatomy, 0, 2, 0.7).kind == "duplicate"  # the same answer outweighs the swap


def test_a_word_replaced_in_a_copy_whose_long_answer_never_names_it_is_a_near_duplicate():
    ask = "Plan a week of meals for a family of four on a budget, with {} in one dinner."
    rows = [Record(ask.format("lentils"), ANSWER), Record(ask.format("beans"), ANSWER.replace(" through the afternoon", ""))]
    assert swapped(rows[0].prompt, rows[1].prompt, rows[0].output, rows[1].output) is None
    assert compare(analyse(rows), 0, 1, 0.7).kind == "duplicate"
    said = ANSWER.replace("oats", "{}")
    named = [Record(ask.format("lentils"), said.format("lentils")), Record(ask.format("beans"), said.format("beans"))]
    found = swapped(named[0].prompt, named[1].prompt, named[0].output, named[1].output)
    assert found and found.startswith("entity")  # the long answers carry the swap: two tasks


def test_a_copy_whose_answer_lost_the_word_its_prompt_replaced_is_a_near_duplicate():
    ask = "Plan a week of cheap meals for a family of four on a tight budget, with {} in one dinner and fruit after."
    said = ANSWER.replace("oats,", "oats and {},")
    again = said + " Lentils keep well."
    rows = [Record(ask.format("lentils"), said.format("lentils")), Record(ask.format("beans"), ANSWER),
            Record(ask.format("beans"), said.format("beans")),
            Record(ask.format("lentils"), again.format("lentils")), Record(ask.format("beans"), again.format("beans"))]
    anatomy = analyse(rows)
    verdict = compare(anatomy, 0, 1, 0.7)  # one prompt word replaced, that word dropped from the long answer
    assert verdict.kind == "duplicate" and verdict.detail.startswith("prompt") and "answers alike" in verdict.detail
    swap = compare(anatomy, 0, 2, 0.7)  # each long answer names its own prompt's word: two tasks
    assert swap.kind == "distinct" and "lentil / bean" in swap.detail
    named_again = compare(anatomy, 3, 4, 0.7)  # replaced in the answer, though its words as a set only grew
    assert named_again.kind == "distinct" and "bean" in named_again.detail


def prompts() -> list[Record]:
    asked = [
        ("How do I learn Python programming fast?", "How can I learn programming in Python fast?"),
        ("What happened in season 2 of Lost?", "What happened in season 1 of Lost?"),
        ("Why is the sky blue during the day?", "Why is the sky blue in the day?"),
    ]
    rows = [Record(q, "") for pair in asked for q in pair]
    return rows + [Record(r.instruction, "") for r in seed_records()[:40]]


def test_a_pool_of_prompts_is_deduplicated_on_its_prompts(tmp_path):
    result = run(prompts(), tmp_path)
    tier = semantic(result)
    assert tier.details["compared"] == ["instruction", "input"] and "no answer" in tier.details["why"]
    removed = result.dedup.removed_indices()
    assert 1 in removed or 0 in removed
    assert not removed & {2, 3}  # season 2 / season 1: two questions
    assert 5 in removed or 4 in removed
    assert all("instruction" in r.reason for t in result.dedup.tiers for r in t.removals)


def test_a_file_of_bare_instructions_is_deduplicated_on_its_prompts(tmp_path):
    import json

    from seedling.formats import load

    path = tmp_path / "prompts.jsonl"
    path.write_text("".join(json.dumps({"instruction": r.instruction}) + "\n" for r in prompts()))
    result = run(load(path).records, tmp_path)
    assert semantic(result).details["compared"] == ["instruction", "input"]
    assert result.dedup.removed_indices() & {0, 1} and not result.dedup.removed_indices() & {2, 3}


def test_placeholder_answers_count_as_no_answer(tmp_path):
    rows = [Record(r.instruction, "N/A" if k % 2 else "") for k, r in enumerate(prompts())]
    assert analyse(rows).prompt_only
    assert analyse([Record(r.instruction, "paraphrase") for r in prompts()]).prompt_only  # one answer for all
    assert not analyse(seed_records()[:20]).prompt_only


def test_fields_option_compares_only_the_fields_asked(tmp_path):
    rows = [Record("How do I learn Python programming fast?", "Read the tutorial and write small programs daily."),
            Record("How can I learn programming in Python fast?", "Take a course, then build a project you like."),
            *seed_records()[:30]]
    assert not run(rows, tmp_path, tiers=["semantic"]).dedup.removed_indices() & {0, 1}
    forced = run(rows, tmp_path, tiers=["semantic"], fields=["instruction"])
    assert semantic(forced).details["compared"] == ["instruction"]
    (removal,) = [r for r in semantic(forced).removals if r.index in (0, 1)]
    assert "(instruction only)" in removal.reason
    with pytest.raises(ValidationError):
        CurateOptions(fields=["answer"])


def test_rows_hashed_and_pairs_judged_on_every_core_give_what_one_process_gives(tmp_path, monkeypatch):
    from curate.dedup import align, near, prompts as anatomy_of
    from curate.dedup import semantic as semantic_tier
    from tests.data.curate.planted import planted
    from tests.data.curate.templated import templated

    rows = templated().rows + planted()[0]

    def decided():
        result = run(rows, tmp_path, semantic_threshold=0.9)
        return ([(r.index, r.dup_of, r.reason) for r in result.dedup.removals], sorted(result.dedup.variants),
                semantic(result).details["close_pairs_not_duplicates"])

    here = decided()
    monkeypatch.setattr(near, "PAIRS_A_CORE", 1)
    monkeypatch.setattr(semantic_tier, "PAIRS_A_CORE", 1)
    monkeypatch.setattr(align, "BATCH", 3)  # pairs aligned three at a time decide as all at once
    monkeypatch.setattr(anatomy_of, "ROWS_A_CORE", 7)
    monkeypatch.setattr("curate.parallel.cores", lambda: 2)
    assert decided() == here and here[0] and here[1]
    one = analyse(rows[:60])
    monkeypatch.setattr(anatomy_of, "ROWS_A_CORE", 1)
    many = analyse(rows[:60])
    assert one.vocab == many.vocab and one.keys == many.keys and (one.tokens == many.tokens).all()
    assert (one.answer_offsets == many.answer_offsets).all() and (one.answer_tokens == many.answer_tokens).all()


class OneTopic(BagOfWords):
    """A proposing model that places every text alike, as a static model places questions on
    one topic: everything is a candidate, and only the prompt model can tell them apart."""

    model_id = "one-topic-test"

    def __init__(self, prompt_model: str | None):
        super().__init__()
        self.calibration = Calibration(duplicate=0.77, coverage=0.7, prompts=0.85, prompt_model=prompt_model)

    def encode(self, texts):
        return np.ones((len(texts), 8), dtype=np.float32) + super().encode(texts)[:, :8] * 1e-3


def test_prompts_alone_are_scored_by_the_calibrations_prompt_model(tmp_path, monkeypatch):
    from curate.dedup import rescore

    scorer = BagOfWords()
    scorer.model_id, scorer.calibration = "prompt-model-test", Calibration(0.72, 0.55, prompts=0.8)
    monkeypatch.setattr(rescore, "_load", lambda spec: scorer)
    rows = prompts()

    def removed(prompt_model):
        options = CurateOptions(cache=str(tmp_path / "cache"), tiers=["semantic"])
        return curate(rows, options, embedder=OneTopic(prompt_model)).dedup.tier("semantic")

    alone = removed(None)
    assert len(alone.removals) > len(rows) // 2  # the proposing model alone cannot tell topics apart
    tier = removed("prompt-model-test")
    assert {r.index for r in tier.removals} == {1, 5}
    assert tier.details["scored_by"] == "prompt-model-test" and tier.details["threshold"] == 0.8
    assert all("scored by prompt-model-test" in r.reason for r in tier.removals)
    assert tier.details["rescored_rows"] <= len(rows) and scorer.calls > 0


def test_a_reason_says_same_answer_only_when_the_answers_are_the_same():
    ask = "Write the question this passage answers: the ridge track climbs past two lakes to the old stone hut"
    rows = [Record(ask + ".", "Where does the ridge track climb past two lakes to reach the hut?"),
            Record(ask + " .", "Where does the ridge track climb past two lakes to reach the old hut?"),
            Record(ask + "!", "Where does the ridge track climb past two lakes to reach the hut?")]
    anatomy = analyse(rows)
    alike = compare(anatomy, 0, 1, 0.7)
    assert alike.kind == "duplicate" and "answers alike (3-gram Jaccard" in alike.detail
    assert "same answer" not in alike.detail
    assert "same answer" in compare(anatomy, 0, 2, 0.7).detail


def test_long_prompts_are_left_to_the_embedder(tmp_path, monkeypatch):
    from curate.dedup import rescore

    scorer = BagOfWords()
    scorer.model_id, scorer.calibration = "prompt-model-test", Calibration(0.72, 0.55, prompts=0.8)
    monkeypatch.setattr(rescore, "_load", lambda spec: scorer)
    passage = " ".join(f"word{k}" for k in range(rescore.SHORT_WORDS))
    rows = [Record(f"{passage} {r.instruction}", "") for r in prompts()]
    options = CurateOptions(cache=str(tmp_path / "cache"), tiers=["semantic"], semantic_threshold=0.99)
    tier = curate(rows, options, embedder=OneTopic("prompt-model-test")).dedup.tier("semantic")
    assert "scored_by" not in tier.details and scorer.calls == 0

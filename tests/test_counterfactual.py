"""Counterfactual gender copies: the swap is right (her/his by context, nouns, titles, names,
case), copies are marked with the original's id, skip-list rows are counted and not copied."""

from __future__ import annotations

import json

from curate.bias.counterfactual import augment
from curate.bias.gender_swap import swap, table
from curate.options import CurateOptions
from curate.pipeline import curate
from seedling.record import Record
from seedling.resources import data_path

EVEN = {"gender": {"female": 0.5, "male": 0.5}}


def options(tmp_path) -> CurateOptions:
    return CurateOptions(cache=str(tmp_path), tiers=["exact"], counterfactual="gender", bias_targets=EVEN)
from tests.helpers.embedders import BagOfWords


def test_pronouns_follow_their_role():
    assert swap("She gave her book to him. He thanked her.")[0] == "He gave his book to her. She thanked him."
    assert swap("I told her that the pen is his.")[0] == "I told him that the pen is hers."
    assert swap("He loves her dearly and hers is red.")[0] == "She loves him dearly and his is red."


def test_nouns_titles_names_and_case():
    text, changed = swap("Mr. Smith and his wife Mary met John, a KING, and the woman's son.")
    assert text == "Ms. Smith and her husband James met Patricia, a QUEEN, and the man's daughter."
    assert changed == 8
    assert swap("Write a haiku about autumn leaves.") == ("Write a haiku about autumn leaves.", 0)


def test_every_gendered_holistic_bias_noun_has_a_swap():
    nouns = json.loads(data_path("holistic_bias", "nouns.json").read_text())
    missing = [w for g in ("female", "male") for pair in nouns[g] for w in pair if w not in table()]
    assert missing == []


def test_copies_are_marked_and_skip_rules_counted():
    rows = [Record("Write a bio of Mary, a nurse.", "She cares for her patients."),
            Record("Plan a gift for Mother's Day.", "Buy her flowers."),
            Record("She is pregnant; suggest meals.", "Leafy greens."),
            Record("Sort these numbers.", "1 2 3")]
    copies, figures = augment(rows)
    assert len(copies) == 1
    copy = copies[0]
    assert copy.instruction == "Write a bio of James, a nurse." and copy.output == "He cares for his patients."
    assert copy.meta["counterfactual_of"] == rows[0].id and copy.meta["counterfactual"] == "gender"
    assert figures["rows_mentioning"] == 3 and figures["swapped"] == 1 and figures["skipped_by_rule"] == 2
    assert figures["skipped_rules"] == {"mother's day": 1, "pregnant": 1}


def test_a_copy_already_in_the_data_is_not_added_twice():
    rows = [Record("Describe the man.", "He is tall."), Record("Describe the woman.", "She is tall.")]
    copies, figures = augment(rows)
    assert copies == [] and figures["already_present"] == 2


def test_curate_adds_copies_to_kept_and_reports_before_and_after(tmp_path):
    rows = ([Record(f"Task {i}: write about the engineer.", f"He built bridge {i} and his team praised him.")
             for i in range(40)]
            + [Record(f"Task {i}: write about the nurse.", f"She helped patient {i}.") for i in range(100, 110)])
    result = curate(rows, options(tmp_path),
                    embedder=BagOfWords())
    copies = [r for r in result.kept if r.meta.get("counterfactual_of")]
    assert len(copies) == 50 and len(result.kept) == 100
    c = result.audit.counterfactual
    assert c["before"]["pronouns"]["under_represented"] == "female"
    assert c["after"]["pronouns"]["verdict"] == "no finding"
    assert c["after"]["pronouns"]["rows_female_leaning"] == c["after"]["pronouns"]["rows_male_leaning"] == 50
    assert c["examples"][0]["copy"].endswith("→ She built bridge 0 and her team praised her.")


def test_the_audit_page_and_terminal_show_findings_copies_and_the_reference(tmp_path):
    from rich.console import Console

    from curate.report.html import render
    from curate.report.terminal import show

    rows = ([Record(f"Task {i}: write about the engineer.", f"He built bridge {i} and his team praised him.")
             for i in range(40)]
            + [Record(f"Task {i}: write about the nurse.", f"She helped patient {i}.") for i in range(100, 110)])
    reference = [Record(f"Ref {i}: describe the person.", "She is here." if i % 2 else "He is here.") for i in range(60)]
    result = curate(rows, options(tmp_path),
                    embedder=BagOfWords(), reference=reference)
    page = render(result.audit, result.projection, "tiny")
    assert "Counterfactual augmentation (gender)" in page and "Against the reference (60 rows, 60 independent examples)" in page
    assert "female pronouns under-represented" in page and "too few to tell" in page
    assert "→ She built bridge 0" in page and "built-in method" not in page  # the copy itself, not dict.copy
    console = Console(record=True, width=200)
    show(result.audit, console)
    text = console.export_text()
    assert "counterfactual gender: 50 kept rows mention it, 50 swapped copies added" in text
    assert "against the reference (60 rows): pronouns differs" in text

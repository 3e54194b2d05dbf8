"""Dedup tiers on planted duplicates, with a bag-of-words embedder built here (fast); the real
static embedder runs once in test_curate_integration.py."""

from __future__ import annotations

import numpy as np
import pytest

from curate.dedup.compare import compare
from curate.dedup.grams import cover, member
from curate.dedup.prompts import CONTEXT_WORDS, analyse
from curate.dedup.shared_context import Passages, passages, shared_context_groups
from curate.options import CurateOptions
from curate.pipeline import curate
from seedling.errors import SeedlingError
from seedling.record import Record
from tests.helpers.embedders import BagOfWords
from tests.data.curate.planted import planted, seed_records, shared_context
from tests.data.curate.templated import templated


def run(records, tmp_path, **opts):
    opts.setdefault("semantic_threshold", 0.95)
    return curate(records, CurateOptions(cache=str(tmp_path / "cache"), **opts), embedder=BagOfWords())


def removed_by(result, tier):
    return {i for t in result.dedup.tiers if t.name == tier for i in (r.index for r in t.removals)}


def test_planted_exact_and_reworded_found_and_no_seed_removed(tmp_path):
    rows, kinds = planted()
    result = run(rows, tmp_path)
    removed = result.dedup.removed_indices()
    planted_rows = {i for idx in kinds.values() for i in idx}
    assert set(kinds["exact"]) <= removed_by(result, "exact")  # recall 1.0 on exact copies
    assert set(kinds["reworded"]) <= removed  # recall 1.0 on reworded copies
    assert set(kinds["near"]) <= removed_by(result, "near")  # a dropped and a swapped word, same long answer
    precision = len(removed & planted_rows) / len(removed)
    assert precision == 1.0, [rows[i].instruction for i in removed - planted_rows]
    assert len(result.kept) + len(result.removed) == len(rows)


def test_removed_rows_say_why_and_point_at_the_kept_seed(tmp_path):
    rows, kinds = planted()
    result = run(rows, tmp_path, tiers=["exact"])
    by_id = {r.id: r for r in result.kept}
    for row in result.removed:
        assert row.extra["removed_by"] == "exact" and row.extra["reason"].startswith("exact:")
        assert by_id[row.extra["dup_of"]].source == "seed"  # keep policy: seed over generated


def test_near_tier_confirms_pairs_before_removal(tmp_path):
    rows, kinds = planted()
    result = run(rows, tmp_path, tiers=["near"])
    near = result.dedup.tier("near")
    assert set(kinds["reworded"]) <= removed_by(result, "near")
    assert near.details["confirmed_pairs"] <= near.details["proposed_pairs"]
    assert all("Jaccard" in r.reason for r in near.removals)


def test_shared_context_rows_are_all_kept_and_reported(tmp_path):
    rows = shared_context() + seed_records()[:20]
    result = run(rows, tmp_path, semantic_threshold=0.5)
    assert not result.dedup.removed_indices() & set(range(5))
    groups = result.audit.dedup.shared_context
    assert groups["groups"] == 1 and groups["rows"] == 5


def _passage_one_row(anatomy, i):
    """The passage's definition, one row at a time: its first longest run of words covered by
    3-grams another prompt holds (template wording aside), if CONTEXT_WORDS long."""
    ids = anatomy.ids(i)
    covered = cover(member(ids, anatomy.grams) & ~member(ids, anatomy.boilerplate), anatomy.words(i))  # held twice+
    runs, start = [], None
    for k, c in enumerate([*covered.tolist(), False]):
        if c and start is None:
            start = k
        elif not c and start is not None:
            runs.append((start, k))
            start = None
    best = max(runs, key=lambda r: r[1] - r[0], default=None)
    return best if best and best[1] - best[0] >= CONTEXT_WORDS else None


def test_passages_found_a_block_at_a_time_are_those_of_each_row():
    text = [f"w{k}" for k in range(30)]
    # the other row holds every third 3-gram of the first: ten grams cover all thirty words
    sparse = [Record(" ".join(text), "First."),
              Record(" zz ".join(" ".join(text[k:k + 3]) for k in range(0, 30, 3)), "Second.")]
    rows = sparse + shared_context() + seed_records()[:40] + templated().rows[:40]
    anatomy = analyse(rows)
    found = {i: span for i, _, span in passages(anatomy, list(range(len(rows))))}
    assert found[0] == (0, 30) and 1 not in found
    assert found == {i: p for i in range(len(rows)) if (p := _passage_one_row(anatomy, i))}
    assert len(found) > 10


def test_passages_found_once_give_the_groups_of_any_subset():
    rows = shared_context() + shared_context()[1:] + seed_records()[:20] + templated().rows[:40]
    anatomy = analyse(rows)
    found = Passages(anatomy)
    assert found.groups() == shared_context_groups(anatomy, list(range(len(rows)))) != []
    for among in ({1, 2, 3, 5, 6}, set(range(2, len(rows))), {0}):
        assert found.groups(among) == shared_context_groups(anatomy, sorted(among))


def test_passages_found_on_two_cores_are_those_found_on_one(monkeypatch):
    from curate import parallel
    from curate.dedup import shared_context as module

    rows = shared_context() + shared_context()[1:] + seed_records()[:20] + templated().rows[:40]
    anatomy = analyse(rows)
    one = Passages(anatomy).found
    monkeypatch.setattr(module, "ROWS_A_CORE", 7)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert Passages(anatomy).found == one != []
    kept = list(range(3, len(rows), 2))
    assert Passages(anatomy, kept).found == [f for f in one if f[0] in set(kept)]


def test_same_instruction_different_input_is_not_a_duplicate(tmp_path):
    rows = [Record("Generate a haiku using the following word:", f"Poem about {w}.", input=w) for w in ("summer", "winter")]
    assert run(rows, tmp_path).removed == []


def test_empty_and_one_row(tmp_path):
    empty = run([], tmp_path)
    assert empty.kept == [] and empty.removed == [] and empty.audit.rows == 0
    one = run([Record("Say hi.", "Hi!")], tmp_path)
    assert len(one.kept) == 1 and one.kept[0].extra["cluster"] == 0


def test_non_english_rows(tmp_path):
    rows = [
        Record("把下面的句子翻译成英文。", "I like tea.", input="我喜欢喝茶。"),
        Record("把下面的句子翻译成英文！", "I like tea.", input="我喜欢喝茶"),  # punctuation differs only
        Record("Переведите предложение на английский.", "The cat sleeps.", input="Кошка спит."),
        Record("Übersetze den Satz ins Englische.", "The dog runs.", input="Der Hund läuft."),
        Record("Écris un poème sur la mer.", "La mer brille au soleil."),
    ]
    result = run(rows, tmp_path)
    assert removed_by(result, "exact") == {1}
    assert len(result.kept) == 4


def test_rethreshold_moves_the_decision_without_embedding_again(tmp_path):
    rows, _ = planted()
    embedder = BagOfWords()
    result = curate(rows, CurateOptions(cache=str(tmp_path), tiers=["semantic"], semantic_threshold=0.95), embedder=embedder)
    calls = embedder.calls
    looser = result.dedup.rethreshold(0.9)
    assert embedder.calls == calls
    assert len(looser.tier("semantic").removals) >= len(result.dedup.tier("semantic").removals)


def test_semantic_tier_asks_for_a_threshold_for_an_uncalibrated_model(tmp_path):
    rows, _ = planted()
    with pytest.raises(SeedlingError, match="threshold"):
        run(rows, tmp_path, semantic_threshold=None)


def test_a_copy_of_a_removed_row_points_at_the_row_that_stayed():
    from curate.columns import annotate
    from curate.dedup import Removal

    rows = [Record("a", "x"), Record("b", "x"), Record("c", "x")]
    removals = [Removal(1, "exact", 0, 1.0, "exact"), Removal(0, "semantic", 2, 0.9, "semantic")]
    _, kept, removed = annotate(rows, [0, 0, 0], [1.0] * 3, [[]] * 3, removals)
    assert [r.instruction for r in kept] == ["c"]
    assert {r.instruction: r.extra["dup_of"] for r in removed} == {"a": rows[2].id, "b": rows[2].id}


def test_templated_rows_keep_every_question_and_report_variants_and_conflicts(tmp_path):
    data = templated()
    result = run(data.rows, tmp_path)
    assert result.dedup.removed_indices() == set(data.copies)  # only the planted copies go
    assert all(r.extra["removed_by"] == "exact" for r in result.removed)
    # two questions over one passage with the same one-word answer are two rows
    same_answer = [(i, j) for i in range(len(data.example)) for j in range(i + 1, len(data.example))
                   if data.example[i] != data.example[j] and data.template[i] == data.template[j]
                   and data.rows[i].output == data.rows[j].output]
    assert same_answer and not {i for pair in same_answer for i in pair} & result.dedup.removed_indices()
    variants = result.dedup.variants
    assert variants and all(data.example[i] == data.example[j] and data.template[i] != data.template[j]
                            for i, j, _ in variants)
    audit = result.audit.dedup
    assert audit.template_variants["groups"] == len(set(data.example))
    assert audit.shared_context["groups"] == 8  # one per passage, all its questions kept
    assert audit.conflicts["groups"] == 2
    flagged = {i for i, r in enumerate(result.rows) if "conflicting_answers" in r.extra.get("flags", [])}
    assert {i for pair in data.conflicts for i in pair} <= flagged
    assert audit.removed_by_source["column"] == "meta.source"


def test_a_pool_of_models_answers_is_reported_as_a_pool_not_flagged_as_conflicting(tmp_path):
    """Several models answering one instruction is what a pool is (AlpacaEval, UltraFeedback):
    flagging every row `conflicting_answers` buried the quality flags that say something."""
    asked = [r.instruction for r in seed_records()[:3]]
    answers = ["A short answer that says one thing about it.", "Another answer, longer, saying something else.",
               "A third model's take, in its own words entirely."]
    pool = [Record(q, f"{a} ({q[:20]})", meta={"generator": model}) for q in asked
            for a, model in zip(answers, ("gpt-4", "llama-2-70b", "claude-2"))]
    clash = [Record("Name the capital of Australia.", "Sydney is the capital."),
             Record("Name the capital of Australia.", "Canberra is the capital city.")]
    result = run(pool + clash, tmp_path)
    flagged = {i for i, r in enumerate(result.rows) if "conflicting_answers" in r.extra.get("flags", [])}
    assert flagged == {9, 10}
    conflicts = result.audit.dedup.conflicts
    assert (conflicts["groups"], conflicts["rows"]) == (1, 2)
    assert (conflicts["pools"]["groups"], conflicts["pools"]["rows"], conflicts["pools"]["kept_rows"]) == (3, 9, 9)
    same_model = [Record(q, f"{a} ({q[:20]})", meta={"generator": "gpt-4"}) for q in asked[:1] for a in answers]
    assert run(same_model, tmp_path).audit.dedup.conflicts["groups"] == 1  # one model twice is a conflict


def test_variant_and_conflict_policies_remove_all_but_the_preferred_row(tmp_path):
    data = templated()
    result = run(data.rows, tmp_path, template_variants="remove")
    kept = [i for i in range(len(data.example)) if i not in result.dedup.removed_indices()]
    assert sorted(data.example[i] for i in kept) == sorted(set(data.example))  # one row per example
    assert all(r.extra["removed_by"] in ("exact", "variant") for r in result.removed)
    conflict = run(data.rows, tmp_path, conflicts="keep-one").dedup.tier("conflict")
    assert len(conflict.removals) == 2 and all(r.reason.startswith("conflict:") for r in conflict.removals)


def test_a_question_quoting_its_passage_is_not_the_other_question():
    passage = " ".join(seed_records()[0].output.split()[:60])
    words_ = passage.split()
    rows = [Record(f"{passage}\n\nQuestion: what comes after {words_[k]} {words_[k + 1]} {words_[k + 2]}?",
                   "It is the word that follows those three, as the passage says.") for k in (3, 20)]
    anatomy = analyse(rows)
    assert compare(anatomy, 0, 1, 0.7).kind == "distinct"
    copy = analyse([rows[0], Record("Please, " + rows[0].instruction, rows[0].output)])
    assert compare(copy, 0, 1, 0.7).kind == "duplicate"


def test_shared_grams_counted_in_partitions_equal_one_count(monkeypatch):
    from curate.dedup import grams

    data = templated()
    whole = analyse(data.rows)
    monkeypatch.setattr(grams, "PARTITION_GRAMS", 50)  # many partitions, each in its own file
    monkeypatch.setattr(grams, "BLOCK_ROWS", 7)
    parted = analyse(data.rows)
    assert len(whole.grams) and (whole.df >= 2).all()
    assert np.array_equal(whole.grams, parted.grams) and np.array_equal(whole.df, parted.df)
    assert np.array_equal(whole.boilerplate, parted.boilerplate) and len(whole.boilerplate)


def test_pairs_aligned_in_one_batch_find_the_passage_the_questions_and_the_prompt_jaccard():
    """The figures the one-pair-at-a-time alignment gave on these rows, pinned."""
    from curate.dedup.align import briefs
    from seedling.text import jaccard

    passage = " ".join(f"w{k}" for k in range(30))
    rows = [Record(f"{passage} which river is longest", "x"), Record(f"{passage} who wrote it", "y"),
            Record(f"{passage} {passage} who wrote it", "y"), Record("short", "z"), Record("", "z")]
    anatomy = analyse(rows)
    pairs = [(0, 1), (1, 2), (0, 3), (3, 4)]
    got = briefs(anatomy, np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))
    figures = [(a.substantive, a.context_run, b.substantive, b.context_run) for a, b, *_ in got]
    assert figures == [(4, 30, 3, 30), (3, 30, 0, 33), (34, 0, 1, 0), (1, 0, 1, 0)]  # (1, 2): the passage twice
    (_, _, score, beside), (*_, twice), _, (*_, one_empty) = got
    assert beside == (0.0, 0.0, 7)  # "which river is longest" / "who wrote it": no gram or word in common
    assert twice == (0.0, 0.0, 3)  # row 2 is all passage; row 1's question follows its passage, not row 2's
    assert one_empty == (1.0, 0.0, 1)  # no gram outside a passage on either side; one word against none
    assert score == jaccard(anatomy.prompts[0].id_set, anatomy.prompts[1].id_set) == 0.8


def test_a_passage_key_reads_every_token_of_its_grams():
    """T0 had 134 passages in one 191-row group: "that are not", "humans are not" and "bird are
    not" were one key when only the low bits of the packed gram ids counted."""
    from curate.dedup.grams import gram_ids
    from curate.dedup.shared_context import passage_key

    keys = {passage_key(gram_ids(np.array([first, 5, 6]))) for first in range(1, 40)}
    assert len(keys) == 39

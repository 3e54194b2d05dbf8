"""Diversity scores, cluster rule and labels, instruction shape, coverage of a reference."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from curate.diversity import clusters, scores, shape
from curate.diversity.coverage import coverage
from curate.options import CurateOptions
from curate.pipeline import curate
from seedling.record import Record
from seedling.text import words
from tests.data.curate.planted import seed_records
from tests.helpers.embedders import BagOfWords


def test_vendi_counts_effective_distinct_items():
    same = np.tile([[1.0, 0.0]], (10, 1)).astype(np.float32)
    assert scores.pairwise(same, 100)["vendi"] == 1.0
    assert scores.pairwise(np.eye(8, dtype=np.float32), 100)["vendi"] == 8.0
    assert scores.pairwise(np.eye(8, dtype=np.float32), 100)["mean_cosine_distance"] == 1.0


def test_distinct_n():
    assert scores.distinct_n(["a b", "a b"])["distinct_1"] == 0.5
    assert scores.distinct_n(["a b c", "d e f"])["distinct_2"] == 1.0


def test_distinct_n_of_a_subset_read_once_is_that_of_the_subset_alone():
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(["a", "b", "c", "d", "e", "the", "x y"], rng.integers(0, 9))) for _ in range(200)]
    words = scores.WordIds(texts)
    assert words.distinct() == scores.distinct_n(texts)
    for among in (np.arange(0, 200, 3), np.sort(rng.choice(200, 50, replace=False)), np.array([5]), np.array([], int)):
        assert words.distinct(among) == scores.distinct_n([texts[i] for i in among.tolist()])


def _counted(texts: list[str], n: int) -> float:
    """distinct_n as its definition says: distinct n-grams of words inside one text over all of them."""
    grams = [tuple(ws[i:i + n]) for ws in (t.split() for t in texts) for i in range(len(ws) - n + 1)]
    return round(len(set(grams)) / len(grams), 4) if grams else 0.0


def test_distinct_n_counts_what_its_definition_counts():
    rng = np.random.default_rng(1)
    for size in (0, 1, 2, 30, 300):
        texts = [" ".join(rng.choice(list("abcdefg"), rng.integers(0, 6))) for _ in range(size)]
        got = scores.distinct_n(texts)
        assert got == {f"distinct_{n}": _counted(texts, n) for n in (1, 2, 3)}


def test_n_grams_too_wide_to_pack_are_counted_too():
    ids = np.array([1 << 40, 2, 3, 1 << 40, 2, 3, 1 << 40, 2], dtype=np.int64)
    inside = np.array([True] * 6 + [False] * 2)  # the last two words' 3-grams would leave their text
    assert scores._distinct(ids, inside, 3) == 3


def test_k_rule():
    assert [clusters.choose_k(n) for n in (1, 3, 8, 175, 50_000)] == [0, 2, 2, 9, 30]


def test_clusters_get_distinctive_labels():
    texts = ["write a poem about the sea"] * 5 + ["translate this sentence to french"] * 5
    x = np.array([[1.0, 0.0]] * 5 + [[0.0, 1.0]] * 5, dtype=np.float32)
    out = clusters.summarize(x, texts, k=2)
    labels = {tuple(sorted(c["label"][:2])) for c in out["clusters"]}
    assert any("poem" in lab or "sea" in lab for lab in labels)
    assert any("french" in lab or "translate" in lab for lab in labels)


def test_leading_verbs_and_task_types():
    rows = [Record("Please write a poem.", "x y"), Record("Can you explain tides?", "x y"),
            Record("What is love?", "x y")]
    figures = shape.summarize(rows)
    assert figures["leading_verbs"] == {"write": 1, "explain": 1, "what": 1}
    assert figures["task_types"] == {"generation": 1, "explanation": 1, "question": 1}
    rows += [Record("Please can you", "x"), Record(" ", "x"), Record("I want you to please now kindly me help compare",
                                                                       "x")]
    figures = shape.summarize(rows)
    assert figures["leading_verbs"] == {"write": 1, "explain": 1, "what": 1, "please": 1, "": 1, "i": 1}
    assert figures["lengths"]["instruction"]["words"] == shape.length_summary([4, 4, 3, 3, 10])


def _leading(ws: list[str]) -> str:
    """The leading-word rule, one text at a time."""
    return next((w for w in ws[:8] if w not in shape.OPENERS), ws[0] if ws else "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["please", "can", "you", "write", "explain", "what", "i", "me", "to", "x"]),
                         max_size=11).map(" ".join), max_size=15))
@example(["please can you i me to please write", "please can you i me to please now write"])  # 8th word; 9th
def test_leading_counts_follow_the_rule_text_by_text(texts):
    counted = shape.leading_counts(scores.WordIds(texts))
    expected = Counter(_leading(words(t)) for t in texts)
    assert list(counted.items()) == list(expected.items())


def test_coverage_finds_the_missed_reference_items():
    ref = np.eye(6, dtype=np.float32)
    ours = ref[:3]
    out = coverage(ref, [f"task {i}" for i in range(6)], ours, threshold=0.9)
    assert out["covered"] == 3 and out["covered_share"] == 0.5


def test_a_missed_region_is_named_by_its_most_central_item_and_counts_the_rows_near_it():
    ref = np.array([[1, 0, 0], [0.9, 0.44, 0], [0.9, 0, 0.44], [0, 1, 0], [0, 0.9, 0.44], [0, 0.95, 0.31]],
                   dtype=np.float32)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    ours = np.array([[0.1, 0.99, 0], [0.05, 0.95, 0.3]], dtype=np.float32)
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    out = coverage(ref, ["a0", "a1", "a2", "b0", "b1", "b2"], ours, threshold=0.999)
    missed = {m["central"]: m["rows_landed"] for m in out["missed_clusters"]}
    assert missed == {"a0": 0, "b2": 2}  # the member nearest each cluster's mean; both our rows land near b
    assert sorted(c["rows_landed"] for c in out["reference_clusters"]) == [0, 2]
    b = next(m for m in out["missed_clusters"] if m["central"] == "b2")
    assert b["uncovered"] == ["b2", "b1", "b0"]  # nearest the centre first, so they read like the hint


def test_each_uncovered_item_is_a_target_with_its_nearest_reference_items_farthest_from_our_rows_first():
    ref = np.array([[1, 0, 0], [0.9, 0.44, 0], [0.9, 0, 0.44], [0, 1, 0], [0, 0.9, 0.44], [0, 0.95, 0.31]],
                   dtype=np.float32)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    ours = np.array([[0.1, 0.99, 0]], dtype=np.float32)
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    out = coverage(ref, ["a0", "a1", "a2", "b0", "b1", "b2"], ours, threshold=0.999)
    a = next(m for m in out["missed_clusters"] if m["central"] == "a0")
    assert [t["instruction"] for t in a["targets"]] == ["a2", "a0", "a1"]  # a1 leans toward our row
    assert a["targets"][1]["neighbours"][:2] in (["a1", "a2"], ["a2", "a1"])
    assert all(t["instruction"] not in t["neighbours"] for m in out["missed_clusters"] for t in m["targets"])


def test_audit_has_every_section(tmp_path):
    rows = seed_records()[:60]
    result = curate(rows, CurateOptions(cache=str(tmp_path), semantic_threshold=0.95), embedder=BagOfWords(),
                    reference=seed_records()[60:90])
    a = result.audit
    assert a.clusters.k == clusters.choose_k(60)
    assert sum(c["size"] for c in a.clusters.clusters) == 60
    assert a.diversity.kept.vendi > 1
    assert a.coverage.reference_items == 30
    assert {"leading_verbs", "lengths", "with_input"} <= set(a.shape)


def test_cluster_entropy_is_one_when_even_and_low_when_one_cluster_dominates():
    import numpy as np

    from curate.diversity.clusters import size_entropy

    assert size_entropy(np.array([5, 5, 5])) == 1.0
    assert size_entropy(np.array([97, 1, 1, 1])) < 0.15
    assert size_entropy(np.array([4])) is None


def test_large_sets_fit_clusters_on_a_sample_and_label_every_row_by_blocks(monkeypatch):
    from curate.vectors import UnitRows

    class Watched(UnitRows):  # reads only through blocks: the whole float32 matrix is never built
        most = 0

        def __getitem__(self, rows):
            out = super().__getitem__(rows)
            Watched.most = max(Watched.most, len(out))
            return out

        def __array__(self, dtype=None, copy=None):
            raise AssertionError("the whole matrix was read")

    centres = np.eye(8, dtype=np.float32)[:4]
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 4, 6000)
    half = (centres[truth] + 0.05 * rng.standard_normal((6000, 8))).astype(np.float16)
    monkeypatch.setattr(clusters, "FIT_SAMPLE", 400)
    monkeypatch.setattr(clusters, "BLOCK", 700)
    labels = clusters.assign(Watched(half), 4)
    assert labels.shape == (6000,) and Watched.most == 700
    pairs = {(int(t), int(lab)) for t, lab in zip(truth, labels)}
    assert len(pairs) == 4 and len({lab for _, lab in pairs}) == 4  # each true blob is one cluster


def test_cluster_terms_are_class_tf_idf_over_scikit_learns_counts():
    from sklearn.feature_extraction.text import CountVectorizer

    rng = np.random.default_rng(2)
    vocab = ["poem", "sea", "translate", "french", "sql", "query", "table", "recipe", "bread", "the", "a"]
    texts = [" ".join(rng.choice(vocab, 6)) for _ in range(300)]
    labels = rng.integers(0, 3, 300)
    counts = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{2,}\b").fit(texts)
    matrix, names = counts.transform(texts), counts.get_feature_names_out()
    per = np.vstack([np.asarray(matrix[labels == c].sum(axis=0)).ravel() for c in range(3)])
    score = per / per.sum(axis=1, keepdims=True) * np.log(1 + per.sum(axis=1).mean() / np.maximum(per.sum(axis=0), 1))
    expected = [[str(names[t]) for t in np.argsort(-row)[:4]] for row in score]
    assert clusters.top_terms(texts, labels, 3) == expected
    assert clusters.top_terms(["the a", "a the"], np.array([0, 1]), 2) == [[], []]


def test_word_ids_read_on_two_cores_number_words_as_one_pass(monkeypatch):
    from curate import parallel
    from curate.diversity import scores as diversity_scores

    texts = ["the cat sat", "", "a dog and the cat", "dog dog", "new words here", "the end"]
    one = diversity_scores.WordIds(texts)
    monkeypatch.setattr(diversity_scores, "ROWS_A_CORE", 2)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    two = diversity_scores.WordIds(texts)
    assert two.vocab == one.vocab == ["the", "cat", "sat", "a", "dog", "and", "new", "words", "here", "end"]
    assert two.ids.tolist() == one.ids.tolist() and two.offsets.tolist() == one.offsets.tolist()
    assert two.distinct() == one.distinct()


def test_cluster_terms_counted_on_two_cores_are_those_counted_on_one(monkeypatch):
    from curate import parallel

    texts = ["Explain the tides", "Write a poem about tides", "Sort a list in python", "Reverse a python string",
             "Name three rivers", "Which river is longest", "python code review", "the moon and the tides"]
    labels = np.array([0, 0, 1, 1, 2, 2, 1, 0])
    one = clusters.top_terms(texts, labels, 3)
    monkeypatch.setattr(clusters, "ROWS_A_CORE", 3)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert clusters.top_terms(texts, labels, 3) == one and one[1][0] == "python"


def test_cluster_terms_of_a_large_set_are_counted_on_a_sample_that_keeps_small_clusters(monkeypatch):
    rng = np.random.default_rng(0)
    big = [f"{rng.choice(['tides', 'moon', 'ocean'])} {rng.choice(['waves', 'tides'])} question" for _ in range(3000)]
    code = [f"python {rng.choice(['list', 'string'])} question" for _ in range(3000)]
    small = ["volcano lava eruption question"] * 5
    texts, labels = big + code + small, np.array([0] * 3000 + [1] * 3000 + [2] * 5)
    whole = clusters.top_terms(texts, labels, 3)
    monkeypatch.setattr(clusters, "TERM_SAMPLE", 600)
    rows = clusters._term_rows(labels)
    assert len(rows) < 700 and set(range(6000, 6005)) <= set(rows.tolist())
    sampled = clusters.top_terms(texts, labels, 3)
    assert [t[0] for t in sampled] == [t[0] for t in whole] and sampled[2][0] in {"volcano", "lava", "eruption"}


def test_instruction_words_taken_from_dedup_prompts_count_as_words_read_again():
    from curate.dedup.prompts import analyse
    from curate.diversity.scores import WordIds

    rows = [Record("the cat sat on the mat", "A."), Record("Translate this", "B.", input="the cat sat"),
            Record("<|im_end|> the dog ran", "C."), Record("猫が座った猫が座った猫が座った", "D."),
            Record("the cat sat on the mat", "E."), Record("dogs and cats and dogs", "F.")]
    anatomy = analyse(rows)
    texts = [r.instruction for r in rows]
    read = anatomy.prompt_as_words & np.array([not r.input for r in rows])
    assert read.tolist() == [True, False, False, False, True, True]
    reused = WordIds.reusing(texts, anatomy.vocab, anatomy.tokens, anatomy.offsets, read)
    again = WordIds(texts)
    assert reused.distinct() == again.distinct() and reused.distinct([1, 2, 5]) == again.distinct([1, 2, 5])
    assert [reused.head(i, 8) for i in range(len(rows))] == [again.head(i, 8) for i in range(len(rows))]
    every = [0, 4, 5]
    alone = analyse([rows[i] for i in every])
    reused = WordIds.reusing([texts[i] for i in every], alone.vocab, alone.tokens, alone.offsets, alone.prompt_as_words)
    assert reused.distinct() == WordIds([texts[i] for i in every]).distinct() == again.distinct(every)


def test_input_and_output_lengths_taken_from_dedup_tokens_are_the_words_read_again():
    from types import SimpleNamespace

    from curate.dedup.prompts import analyse
    from curate.diversity import shape
    from curate.steps.figures import _instruction_words, _read_lengths

    cjk = "猫が座った猫が座った猫が座った"
    rows = [Record("the cat sat on the mat", "A long answer, with words."),
            Record("Translate this", "B.", input="the cat sat"),
            Record("<|im_end|> the dog ran", "C <|im_end|>", input="x y"), Record(cjk, cjk),
            Record("", "E.", input="only an input here"), Record("dogs", "F.", input="   "),
            Record("Ｆｕｌｌ ｗｉｄｔｈ", "Ｆｕｌｌ ｗｉｄｔｈ answer", input="ﬁne café")]
    pool = SimpleNamespace(records=rows, dedup=SimpleNamespace(context=SimpleNamespace(anatomy=analyse(rows))))
    words = _instruction_words(pool)
    lengths = _read_lengths(pool, words)
    assert lengths["output"].tolist()[:4] == [5, 1, -1, -1] and lengths["input"].tolist()[1:3] == [3, -1]
    assert shape.summarize(rows, words, lengths) == shape.summarize(rows)

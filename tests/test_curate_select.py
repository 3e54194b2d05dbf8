"""Selection: the cosine threshold holds between every two chosen rows, no cluster with rows
above the median is emptied, every row says why, and the budget is a count or a share."""

import numpy as np
import pytest

from curate.scores.combined import combined_score
from curate.select import budget, greedy


def unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def pool(n=400, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    centres = unit(rng.normal(size=(8, dim)))
    labels = rng.integers(0, 8, size=n)
    vectors = unit(centres[labels] + 0.25 * rng.normal(size=(n, dim)))
    score = rng.random(n)
    return vectors, score, labels


@pytest.mark.parametrize("threshold", [0.8, 0.95])
def test_no_two_chosen_rows_are_as_close_as_the_threshold(threshold):
    vectors, score, labels = pool()
    picked = greedy(vectors, score, labels, np.arange(len(score)), 60, threshold)
    chosen = np.array(picked.chosen)
    sims = vectors[chosen] @ vectors[chosen].T
    np.fill_diagonal(sims, -1)
    assert sims.max() < threshold
    assert len(chosen) <= 60 and len(set(chosen.tolist())) == len(chosen)


def test_left_rows_were_similar_or_below_every_chosen_non_floor_row():
    vectors, score, labels = pool()
    picked = greedy(vectors, score, labels, np.arange(len(score)), 50, 0.9)
    chosen = set(picked.chosen)
    for i, reason in enumerate(picked.reason):
        assert reason.startswith("chosen" if i in chosen else "left")
        if reason.startswith("left: cosine"):
            assert picked.cosine[i] >= 0.9 or float(reason.split()[2]) >= 0.9
    worst_greedy = min(score[i] for i in chosen if "floor" not in picked.reason[i])
    budget_left = [i for i, r in enumerate(picked.reason) if "budget" in r]
    assert all(score[i] <= worst_greedy for i in budget_left)


def test_no_cluster_with_rows_above_the_median_is_emptied():
    vectors, score, labels = pool()
    score[labels == 3] *= 0.3  # cluster 3 scores low, but has one row just above the median
    median = np.median(score)
    lone = np.flatnonzero(labels == 3)[0]
    score[lone] = median + 1e-3
    picked = greedy(vectors, score, labels, np.arange(len(score)), 20, 0.99)
    reached = {int(labels[i]) for i in picked.chosen}
    assert reached == {int(c) for c in np.unique(labels[score > median])}
    assert lone in picked.chosen and "floor" in picked.reason[lone]


def test_removed_rows_are_never_chosen_and_say_so():
    vectors, score, labels = pool(n=50)
    candidates = np.arange(0, 50, 2)
    picked = greedy(vectors, score, labels, candidates, 100, 0.99)
    assert set(picked.chosen) == set(candidates.tolist())
    assert all("not a candidate" in picked.reason[i] for i in range(1, 50, 2))


def test_a_budget_the_cosine_rule_cannot_fill_is_filled_by_score_and_says_so():
    vectors = np.ones((6, 4), dtype=np.float32) / 2  # six answers to one task: every cosine is 1
    score = np.array([0.1, 0.9, 0.5, 0.7, 0.3, 0.8])
    picked = greedy(vectors, score, np.zeros(6, dtype=np.int64), np.arange(6), 3, 0.77)
    assert sorted(picked.chosen) == [1, 3, 5] and picked.summary["filled_similar"] == 2
    assert picked.reason[5].startswith("chosen to fill the budget") and picked.reason[1].startswith("chosen")
    assert picked.reason[0].startswith("left")


def test_another_answer_to_a_chosen_prompt_waits_until_the_distinct_tasks_are_chosen():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(4, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # far apart: the cosine rule blocks nothing
    score = np.array([0.9, 0.8, 0.2, 0.1])
    prompts = ["a", "a", "b", "c"]
    picked = greedy(vectors, score, np.zeros(4, dtype=np.int64), np.arange(4), 3, 0.99, prompts)
    assert sorted(picked.chosen) == [0, 2, 3] and "another answer to the prompt of chosen input row 0" in picked.reason[1]
    picked = greedy(vectors, score, np.zeros(4, dtype=np.int64), np.arange(4), 4, 0.99, prompts)
    assert sorted(picked.chosen) == [0, 1, 2, 3] and picked.reason[1].startswith("chosen to fill the budget")


def test_the_fill_gives_every_prompt_a_second_answer_before_any_prompt_a_third():
    vectors = np.ones((6, 4), dtype=np.float32) / 2  # every cosine is 1: only the fill chooses past the first row
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])
    prompts = ["a", "a", "a", "b", "b", "c"]
    picked = greedy(vectors, score, np.zeros(6, dtype=np.int64), np.arange(6), 4, 0.77, prompts)
    # by score alone the fill would take rows 1 and 2, both answers to "a" again
    assert sorted(picked.chosen) == [0, 1, 3, 5]
    assert picked.summary["filled_similar"] == 3 and picked.reason[2].startswith("left")


def test_a_prompt_whose_best_answer_is_too_similar_is_not_chosen_through_a_weaker_answer():
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(4, 16)).astype(np.float32)
    vectors[1] = vectors[0] + 0.05 * vectors[1]  # b's best answer looks like a's chosen one; b's weaker one does not
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    score = np.array([0.9, 0.8, 0.3, 0.2])
    prompts = ["a", "b", "b", "c"]
    picked = greedy(vectors, score, np.zeros(4, dtype=np.int64), np.arange(4), 2, 0.77, prompts)
    assert sorted(picked.chosen) == [0, 3]
    assert "a better answer to its prompt has cosine" in picked.reason[2]
    picked = greedy(vectors, score, np.zeros(4, dtype=np.int64), np.arange(4), 3, 0.77, prompts)
    assert sorted(picked.chosen) == [0, 1, 3]  # the fill takes b's best answer, not its weaker one


def test_a_count_above_the_rows_read_is_an_error_not_a_silent_cap():
    from curate.select import check_budget
    from seedling.errors import ConfigError

    check_budget(3, 3)
    check_budget(0.9, 1)
    with pytest.raises(ConfigError, match="select 500 asks for more rows than the 300 read"):
        check_budget(500, 300)


def test_budget_is_a_count_or_a_share():
    assert budget(0.3, 1000) == 300 and budget(50, 1000) == 50 and budget(5000, 1000) == 1000


def test_combined_score_lets_any_part_veto_and_fills_unscored_rows_with_the_median():
    score, parts, used = combined_score([1.0, 1.0, 0.0, 1.0], [{"ifd": 0.5}, {"ifd": 1.3}, {"ifd": 0.2}, {}], ["quality", "ifd"])
    assert list(parts) == used == ["quality", "ifd"]
    assert score[0] == pytest.approx(0.5) and score[1] == 0 and score[2] == 0
    assert score[3] == pytest.approx(0.5)  # median of the ifd parts 0.5, 0, 0.8


def test_an_answer_that_does_not_end_loses_a_factor_e_every_four_nats_past_eight():
    score, parts, used = combined_score([1.0] * 3, [{"ifd": 0.0, "end_nll": 2.0}, {"ifd": 0.0, "end_nll": 8.0},
                                                    {"ifd": 0.0, "end_nll": 16.0}], ["quality", "ifd", "end_nll"])
    assert list(parts) == used == ["quality", "ifd", "end_nll"]
    assert score.tolist() == pytest.approx([1.0, 1.0, np.exp(-2.0)])


def test_by_default_ifd_and_the_ending_inform_but_never_veto_a_row():
    columns = [{"learned": 0.9, "ifd": 1.5, "end_nll": 30.0}, {"learned": 0.2, "ifd": 0.1, "end_nll": 1.0}]
    score, parts, used = combined_score([1.0, 1.0], columns)
    assert used == ["quality", "learned"] and {"ifd", "end_nll"} <= set(parts)
    assert score.tolist() == pytest.approx([0.9, 0.2])


def test_selecting_by_a_part_no_scorer_computed_is_a_config_error():
    from seedling.errors import ConfigError

    with pytest.raises(ConfigError, match="ifd.*add the ifd scorer to scores"):
        combined_score([1.0], [{"learned": 0.5}], ["quality", "ifd"])


def test_a_rating_the_pool_came_with_counts_by_its_percentile():
    """UltraFeedback's overall_score (1-10, text in a CSV) and Nectar's rank (lower is better)."""
    from curate.options import CurateOptions
    from seedling.errors import ConfigError

    metas = [{"overall_score": 9}, {"overall_score": "2.5"}, {"overall_score": 6}, {}, {"overall_score": True}]
    score, parts, used = combined_score([1.0, 1.0, 1.0, 1.0, 0.0], [{}] * 5, ["quality", "meta.overall_score"], metas)
    assert used == ["quality", "meta.overall_score"]
    assert parts["meta.overall_score"].tolist() == pytest.approx([5 / 6, 1 / 6, 0.5, 0.5, 0.5])  # no number: median
    assert score.tolist() == pytest.approx([5 / 6, 1 / 6, 0.5, 0.5, 0.0])
    ranks = [{"rank": 1.0}, {"rank": 3.0}, {"rank": 2.0}]
    score, _, _ = combined_score([1.0] * 3, [{}] * 3, ["-meta.rank"], ranks)
    assert score.tolist() == pytest.approx([5 / 6, 1 / 6, 0.5])
    with pytest.raises(ConfigError, match="select_by names meta.stars, which no row's meta holds as a number"):
        combined_score([1.0], [{}], ["meta.stars"], [{"stars": "many"}])
    assert CurateOptions(select_by=["quality", "-meta.rank"]).select_by == ["quality", "-meta.rank"]
    with pytest.raises(ValueError, match="select_by: unknown part 'learnt'; parts: quality, learned"):
        CurateOptions(select_by=["learnt"])


def test_many_chosen_rows_switch_to_the_ann_index_and_keep_the_threshold(monkeypatch):
    import curate.neighbours

    monkeypatch.setattr(curate.neighbours.GrowingIndex.__init__, "__defaults__", (0, 2000))
    vectors, score, labels = pool(n=4000, dim=32, seed=1)
    picked = greedy(vectors, score, labels, np.arange(4000), 3500, 0.9)
    chosen = np.array(picked.chosen)
    assert len(chosen) > 2000  # past the exact/ANN switch
    sims = vectors[chosen] @ vectors[chosen].T
    np.fill_diagonal(sims, -1)
    assert (sims >= 0.9).sum() / 2 <= len(chosen) * 0.001  # HNSW is approximate: next to no misses

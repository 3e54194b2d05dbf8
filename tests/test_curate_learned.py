"""The learned quality score: the shipped model loads, its features are the training script's,
it orders real-looking answers as a careful reader would, and a model whose features no
longer match the code is refused instead of scoring garbage."""

import json
import shutil

import numpy as np
import pytest

from curate.scores import features
from curate.scores.learned import MODEL_DIR, LearnedScorer, QualityModel
from seedling.errors import SeedlingError
from seedling.record import Record


class Hashing:
    """A deterministic stand-in embedder: the cosine feature only needs unit rows."""

    model_id = "hashing-test"

    def encode(self, texts):
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(n_features=64, alternate_sign=False).transform(texts).toarray()


def score(records):
    return [v["learned"] for v in LearnedScorer(embedder=Hashing(), cache=None).score(records, lambda n: None)]


def test_the_shipped_model_matches_the_features_and_says_where_it_came_from():
    model = QualityModel()
    card = model.card
    assert card["shape"] == features.SHAPE and len(model.weights["words"]) == features.HASH_DIMS
    assert card["data"]["rows"] > 1000 and card["held_out"]["pooled"]["clear_pairs"] > 1000
    import hashlib

    assert hashlib.sha256((MODEL_DIR / "weights.safetensors").read_bytes()).hexdigest() == card["weights_sha256"]


def test_a_careful_answer_outscores_a_cut_one_a_refusal_and_an_empty_one():
    instruction = "Give three tips for staying healthy."
    good = ("Here are three tips for staying healthy:\n\n1. **Eat a balanced diet.** Fill half your plate with "
            "vegetables and fruit, and choose whole grains.\n2. **Move every day.** Aim for at least 150 minutes "
            "of moderate exercise a week.\n3. **Sleep well.** Most adults need 7-9 hours of sleep a night.")
    cut = "Here are three tips for staying healthy: 1. Eat a balanced diet. Fill half your plate with"
    refusal = "I'm sorry, but as an AI language model I cannot give health advice."
    values = score([Record(instruction, good), Record(instruction, cut), Record(instruction, refusal),
                    Record(instruction, " ")])
    assert all(0 < v < 1 for v in values[:3]) and values[3] == 0.0
    assert values[0] > values[1] and values[0] > values[2]


def test_features_are_the_same_in_one_batch_or_many():
    rows = [Record(f"Question {i}?", "Answer. " * (i + 1)) for i in range(7)]
    together = score(rows)
    apart = [score([r])[0] for r in rows]
    assert together == pytest.approx(apart, abs=1e-5)


def test_a_model_trained_on_other_features_is_refused(tmp_path):
    shutil.copytree(MODEL_DIR, tmp_path / "m")
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    card["shape"] = card["shape"][:-1]
    (tmp_path / "m" / "card.json").write_text(json.dumps(card))
    with pytest.raises(SeedlingError, match="do not match"):
        QualityModel(tmp_path / "m")
    with pytest.raises(SeedlingError, match="no quality model"):
        QualityModel(tmp_path / "nothing")


def test_shape_features_read_structure_and_endings():
    named = dict(zip(features.SHAPE, features.shape("List two colours.", "- red\n- blue.")))
    assert named["list_share"] == 1.0 and named["finished"] == 1.0
    named = dict(zip(features.SHAPE, features.shape("List two colours.", "the first colour is")))
    assert named["list_share"] == 0.0 and named["finished"] == 0.0
    matrix = features.shapes(["a"], ["b"], np.ones((1, 2)) / np.sqrt(2), np.ones((1, 2)) / np.sqrt(2))
    assert matrix.shape == (1, len(features.SHAPE)) and matrix[0, -1] == pytest.approx(1.0)


def test_where_a_prompt_has_several_answers_the_one_agreeing_with_the_others_scores_higher(tmp_path):
    from curate.scores import run_scorer

    task = "Name the capital of France and say one thing it is known for."
    agree = "The capital of France is Paris. Paris is known for the Eiffel Tower."
    rows = [Record(task, agree), Record(task, "The capital of France is Paris, known for the Eiffel Tower."),
            Record(task, "Paris is the capital of France; it is known for the Eiffel Tower and the Louvre."),
            Record(task, "The capital of France is Lyon. Lyon is known for its silk weaving."),
            Record("Say hello.", "Hello!")]
    scorer = LearnedScorer(embedder=Hashing(), cache=None)
    alone = [v["learned"] for v in scorer.score(rows, lambda n: None)]
    for _ in range(2):  # the second run reads the row-alone values from the cache; the pool part is recomputed
        values, _ = run_scorer(scorer, rows, tmp_path)
        assert all("learned_pool_partial" not in v for v in values)
        assert [("consensus" in v) for v in values] == [True, True, True, True, False]
        assert values[0]["consensus"] > values[3]["consensus"]
        assert values[4]["learned"] == alone[4]  # one answer to its prompt: the row-alone model
    moved = [values[i]["learned"] - alone[i] for i in range(4)]
    assert moved[0] > moved[3]  # agreeing with the others raised the first more than the odd one out


def test_consensus_is_each_answers_cosine_to_the_other_answers_and_needs_three():
    words = features.words(["red apple", "red apple", "green pear", "red apple", "blue sky"])
    agreement = features.consensus(["a", "a", "a", "b", "c"], words)
    assert agreement[0] == pytest.approx(1 / np.sqrt(2), abs=1e-6)  # others: one the same, one with no word in common
    assert agreement[2] == 0.0 and np.isnan(agreement[3:]).all()


def test_answers_hashed_once_for_the_pool_score_as_if_hashed_alone():
    task = "Name three primary colours."
    rows = [Record(task, "Red, blue and yellow."), Record(task, "Red, yellow, blue!"), Record("Say hi.", "Hi!"),
            Record(task, "Cyan, magenta and yellow."), Record("Count to two.", "One, two.")]
    plain = LearnedScorer(embedder=Hashing(), cache=None).score(rows, lambda n: None)
    scorer = LearnedScorer(embedder=Hashing(), cache=None)
    scorer.see_pool(rows)
    assert scorer._pool.rows == [0, 1, 3]
    assert scorer.score(rows[1:], lambda n: None) == plain[1:]  # shared and fresh rows mixed, order kept
    scorer.see_pool(rows[2:3])  # no prompt with enough answers: nothing shared, nothing to hash
    assert scorer._pool.rows == [] and scorer.in_pool(plain[2:3]) == [{"learned": plain[2]["learned"]}]

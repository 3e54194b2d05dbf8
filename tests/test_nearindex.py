"""The core's near-duplicate index: LSH proposes, exact Jaccard confirms, empty sets never match."""

from seedling.nearindex import NearIndex, bands_for
from seedling.text import shingles


def test_near_confirms_with_exact_jaccard_best_first_and_ignores_empty_sets():
    index = NearIndex(0.5)
    index.insert("poem", shingles("Write a short poem about autumn leaves falling in the quiet forest."))
    index.insert("boil", shingles("What is the boiling point of water at sea level?"))
    index.insert("empty", set())
    found = index.near(shingles("Write a short poem about autumn leaves falling in the silent forest."))
    assert [k for k, _ in found] == ["poem"] and abs(found[0][1] - 8 / 12) < 1e-9
    assert index.near(shingles("Name three primary colours.")) == []
    assert index.near(set()) == [] and index.query(set()) == [] and len(index) == 2


def test_bands_keep_recall_at_the_threshold():
    assert bands_for(0.8) == 32 and bands_for(0.4) == 64


def test_candidate_pairs_are_what_querying_then_inserting_one_by_one_proposes():
    import random

    from seedling.nearindex import candidate_pairs

    rng = random.Random(0)
    sets = []
    for _ in range(400):
        base = [f"w{rng.randrange(500)}" for _ in range(rng.randrange(0, 25))]
        sets.append(base)
        for _ in range(rng.choice([0, 0, 1, 3])):  # copies with a few words changed: buckets of 2 and more
            sets.append([w if rng.random() > 0.15 else f"w{rng.randrange(500)}" for w in base])
    index, expected = NearIndex(0.7, num_bands=32), []
    for j, s in enumerate(sets):
        expected += [(i, j) for i in index.query(s)]
        index.insert(j, s)
    first, second = candidate_pairs(sets, 32)
    assert len(expected) > 100 and list(zip(first.tolist(), second.tolist())) == expected

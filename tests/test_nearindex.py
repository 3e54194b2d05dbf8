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

"""The scans count a row's words near each group once and add them to the tallies that need
them (the words near any mention, near the group, near the set of its axis' groups named): the
tallies equal those of adding every row to each tally in turn, with the same order of groups."""

from __future__ import annotations

from collections import Counter

import numpy as np

from curate.bias.scans import DIGITS, Scans
from curate.bias.units import independent_units
from seedling.record import Record

TEXTS = ["The woman sailed alone across the cold sea.", "He fixed the old engine in the shed.",
         "My mother and my father cooked rice together.", "The Asian woman taught chemistry at night.",
         "Two Buddhist monks and a Christian priest walked to the river.", "She planted tomatoes in spring.",
         "The old man and his daughter sold bread.", "A deaf engineer designed the bridge. He was proud.",
         "Nothing here names anyone at all."]


def _counted_row_by_row(scans: Scans) -> tuple[Counter, dict, dict]:
    background, near_group, near_named = Counter(), {}, {}
    for i in range(len(scans.records)):
        s, w = scans.rescan(i), float(scans.weight[i])
        if not s.near:
            continue
        background.update(dict.fromkeys(set().union(*s.near.values()), w))
        for m, near in s.near.items():
            near_group.setdefault(m, Counter()).update(dict.fromkeys(near, w))
        for axis in dict.fromkeys(a for a, _ in s.near):
            named = frozenset(g for a, g in s.near if a == axis)
            near = set().union(*(s.near[(axis, g)] for g in named))
            near_named.setdefault(axis, {}).setdefault(named, Counter()).update(dict.fromkeys(near, w))
    for c in [background, *near_group.values(), *(c for d in near_named.values() for c in d.values())]:
        for word in c:
            c[word] = round(float(c[word]), DIGITS)
    return background, near_group, near_named


def test_tallies_equal_those_of_adding_each_row_to_each_tally():
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(TEXTS), size=(300, 2)).tolist()
    rows = [Record(f"{TEXTS[a]} {TEXTS[b]}", f"Answer {k}.") for k, (a, b) in enumerate(picks)]
    units = independent_units(len(rows), groups=[range(0, 7), range(40, 43)], pairs=[(10, 200), (11, 12)])
    scans = Scans(rows, cluster_labels=rng.integers(0, 3, len(rows)), units=units)
    background, near_group, near_named = _counted_row_by_row(scans)
    assert scans.background == background and scans.near_group == near_group
    assert {a: list(d) for a, d in scans.near_named.items()} == {a: list(d) for a, d in near_named.items()}
    assert scans.near_named == near_named
    assert any(len(named) > 1 for d in near_named.values() for named in d)  # two groups of one axis in a row
    assert 0 < sum(w != 1 for w in scans.weight) < len(rows)

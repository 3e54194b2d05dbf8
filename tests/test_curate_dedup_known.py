"""Pairs aligned once are read back, in either order, with the measures a fresh alignment gives."""

from __future__ import annotations

from curate.dedup.align import Known, aligned
from curate.dedup.prompts import analyse
from tests.data.curate.templated import templated


def _measured(anatomy, pairs):
    got = aligned(anatomy, [i for i, _ in pairs], [j for _, j in pairs])
    return [(i, j, sa.measures, sb.measures) for (i, j), (sa, sb, *_) in zip(pairs, got)]


def test_known_pairs_give_the_measures_of_a_fresh_alignment_in_either_order():
    rows = templated().rows
    anatomy = analyse(rows)
    pairs = [(i, j) for i in range(0, 30, 3) for j in range(i + 1, i + 7)]
    fresh = _measured(anatomy, pairs)
    assert any(a != b for *_, a, b in fresh)  # one side's measures differ from the other's somewhere
    half = len(fresh) // 2
    known = Known.merged([Known.of(fresh[:half]), Known.of([(j, i, b, a) for i, j, a, b in fresh[half:]])])
    for order in (pairs, [(j, i) for i, j in pairs]):
        found = known.find([i for i, _ in order], [j for _, j in order])
        assert [(f[0].measures, f[1].measures) for f in found] == [(a, b) for *_, a, b in _measured(anatomy, order)]


def test_a_pair_never_aligned_is_not_known():
    known = Known.of([(1, 2, (3, 0, 0), (1, 0, 0))])
    found = known.find([1, 2, 5], [3, 1, 6])
    assert found[0] is None and found[2] is None
    assert (found[1][0].measures, found[1][1].measures) == ((1, 0, 0), (3, 0, 0))
    assert Known().find([0], [1]) == [None]


def test_close_answers_agree_differ_or_answer_the_other_prompt():
    """A summary and the dialogue it summarises asked both ways round are two tasks; answers
    with half their words apart differ; the same answer leaves the prompts to decide."""
    from curate.dedup.looks import ANSWERS_DIFFER, INVERSE, close_answer_kinds
    from seedling.record import Record

    dialogue = "anna asks ben to bring the red lamp to the shop before noon and ben agrees to go"
    summary = "ben will take the red lamp to the shop for anna before noon today"
    rows = [Record(f"Summarise the dialogue: {dialogue}", summary),
            Record(f"Write a dialogue for this summary: {summary}", dialogue),
            Record("Name three rivers of europe please", "the rhine the danube and the volga are long rivers"),
            Record("List three rivers of europe", "the rhine the danube and the volga are long rivers"),
            Record("Name three mountains of asia", "everest and k2 stand in the himalaya and karakoram ranges")]
    anatomy = analyse(rows)
    assert close_answer_kinds(anatomy, [0, 2, 2], [1, 3, 4]).tolist() == [INVERSE, 0, ANSWERS_DIFFER]

"""Rows sharing sentences are scanned once a sentence: the scans equal those of a fresh read,
and what one row adds (its topic) never reaches another row through the remembered sentence."""

from hypothesis import given, settings
from hypothesis import strategies as st

from curate.bias.lexicon import load
from curate.bias.mentions import SentenceReader, scan
from curate.bias.scans import Scans
from seedling.record import Record

PASSAGE = "The young woman was a nurse. She told her brother about it. Nothing else happened."
ROWS = [Record(f"{PASSAGE}\nQuestion {k}: who was the nurse?", "", "The woman." if k % 2 else "Her brother.")
        for k in range(4)]


def _fields(s):
    return (s.mentions, s.female_pronouns, s.male_pronouns, s.occupations, s.near, s.sentences, s.spans)


def test_a_remembered_sentence_scans_as_a_fresh_one():
    lex = load()
    reader = SentenceReader(lex)
    shared = [_fields(scan(r, lex, reader)) for r in ROWS]
    assert shared == [_fields(scan(r, lex)) for r in ROWS]
    assert reader.read.cache_info().hits > 0
    assert shared[0][1] == 3 and ("gender", "female") in shared[0][0]


def test_a_rows_topic_stays_its_own():
    scans = Scans(ROWS, cluster_labels=[0, 1, 0, 1])
    near = [scans.rescan(i).near for i in range(len(ROWS))]
    assert all(("[cluster 1]" in ws) == (i % 2 == 1) for i, n in enumerate(near) for ws in n.values())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab .!?:\n\t\u00a0\u2003", max_size=30))
def test_a_part_cut_without_the_search_is_cut_as_the_search_cuts_it(part):
    """A part whose only marks end it is passed whole without the break search."""
    from curate.bias.mentions import _BREAK, _SENTENCE, sentences

    assert sentences(part) == (_SENTENCE.split(part) if _BREAK.search(part) else [part])

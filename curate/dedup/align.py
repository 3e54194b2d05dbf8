"""Many pairs of prompts aligned at once, in flat numpy arrays.

Aligning two prompts one pair at a time (`compare.sides`) cost ~40 small numpy calls a pair,
and tens of thousands of pairs reach it on a real set: most of dedup's time went to call
overhead, not to work. Here every pair of a batch is aligned in the same few array passes.
Each pair is measured both ways (a against b, b against a: a "directed pair"); a directed
pair's 3-grams are one segment of a flat array, looked up in the other prompt's 3-grams by a
sorted key (directed pair, dense gram code). The figures are those `sides` gives: the words
only each prompt has, outside and inside template wording, and its longest run of words the
other holds in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curate.dedup.grams import GRAM, member
from curate.dedup.prompts import CONTEXT_WORDS, Anatomy

CODE_BITS = 32  # dense gram codes of one batch; the directed pair sits above them


@dataclass(frozen=True)
class Brief:
    """What `template_only` and `shared_passage` read of a `compare.Side`."""

    substantive: int
    templated: int
    context_run: int


def _spans(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat indices of the spans [start, start + length), the span each belongs to, and its
    place in that span."""
    owner = np.repeat(np.arange(len(lengths)), lengths)
    place = np.arange(int(lengths.sum())) - (np.cumsum(lengths) - lengths)[owner]
    return starts[owner] + place, owner, place


def _cover(flags: np.ndarray) -> np.ndarray:
    """Per word slot: whether a flagged 3-gram holds it (a gram sits at its first word's slot;
    each segment ends in GRAM - 1 empty slots, so nothing spills into the next one)."""
    out = flags.copy()
    for k in range(1, GRAM):
        out[k:] |= flags[:-k]
    return out


def _inside(context: np.ndarray) -> np.ndarray:
    """Per gram slot: every word it holds is inside the context (`context` is True past a
    segment's last word, so a short prompt's one gram needs only the words it has)."""
    out = context.copy()
    for k in range(1, GRAM):
        out[:-k] &= context[k:]
    return out


def briefs(anatomy: Anatomy, first: np.ndarray, second: np.ndarray) -> list[tuple[Brief, Brief]]:
    """`(Brief a, Brief b)` of each pair (first[k], second[k]): what `sides` measures of them."""
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    pairs = len(first)
    if not pairs:
        return []
    rows, local = np.unique(np.concatenate((first, second)), return_inverse=True)
    row_ids = [anatomy.ids(r) for r in rows.tolist()]
    row_grams = np.array([len(g) for g in row_ids], dtype=np.int64)
    row_words = np.diff(anatomy.offsets)[rows]
    flat = np.concatenate(row_ids)
    if not len(flat):  # every prompt is empty
        return [(Brief(int(w), 0, 0), Brief(int(w), 0, 0)) for w in (row_words[local[:pairs]] + row_words[local[pairs:]])]
    codes = np.unique(flat, return_inverse=True)[1].astype(np.int64)
    templated = member(flat, anatomy.boilerplate)

    # directed pair d: prompt p[d] against prompt p[partner[d]]; its grams are one segment of
    # the flat gram arrays, its words one segment of GRAM - 1 more slots of the slot arrays
    p = np.concatenate((local[:pairs], local[pairs:]))
    partner = np.concatenate((np.arange(pairs, 2 * pairs), np.arange(pairs)))
    grams, words = row_grams[p], row_words[p]
    at, seg, pos = _spans((np.cumsum(row_grams) - row_grams)[p], grams)
    gram_base = np.cumsum(grams) - grams
    slots = words + GRAM - 1
    slot_base = np.cumsum(slots) - slots
    gram_slot = slot_base[seg] + pos
    code = codes[at]

    # the other prompt's grams, keyed by the directed pair they answer; stable: first place first
    their_key = (partner[seg] << CODE_BITS) | code
    order = np.argsort(their_key, kind="stable")
    ranked = their_key[order]
    key = (seg << CODE_BITS) | code
    slot = np.minimum(np.searchsorted(ranked, key), len(ranked) - 1)
    hit = ranked[slot] == key
    again = hit & (ranked[np.minimum(slot + 1, len(ranked) - 1)] == key) & (slot + 1 < len(ranked))
    where = _continue_runs(np.where(hit, pos[order][slot], -1), again & (pos > 0), seg, partner, gram_base, grams,
                           code)

    found = where >= 0
    start = found.copy()
    start[1:] &= ~(found[:-1] & (np.diff(where) == 1) & (pos[1:] > 0))
    run = np.cumsum(start) * found
    run_words = np.bincount(run)[1:] + GRAM - 1
    in_passage = np.concatenate(([False], run_words >= CONTEXT_WORDS))[run] & found
    longest = np.zeros(2 * pairs, dtype=np.int64)
    np.maximum.at(longest, seg[start], run_words)

    def to_slots(flags: np.ndarray) -> np.ndarray:
        out = np.zeros(int(slots.sum()), dtype=bool)
        out[gram_slot] = flags
        return out

    pad = np.zeros(int(slots.sum()), dtype=bool)
    for k in range(GRAM - 1):
        pad[slot_base + words + k] = True
    context = _cover(to_slots(in_passage))
    rest = ~_inside(context | pad)[gram_slot]
    # beside the passage, a gram is shared only with the other prompt's grams outside its passage
    group = np.cumsum(np.concatenate(([True], ranked[1:] != ranked[:-1]))) - 1
    group_rest = np.bincount(group, weights=rest[order]) > 0
    only = ~(context | _cover(to_slots(hit & group_rest[group[slot]])) | pad)
    template_word = _cover(to_slots(templated[at]))
    substantive = np.add.reduceat(only & ~template_word, slot_base, dtype=np.int64)
    in_template = np.add.reduceat(only & template_word, slot_base, dtype=np.int64)

    empty = (grams == 0) | (grams[partner] == 0)  # `sides`: all words of both differ
    substantive = np.where(empty, words + words[partner], substantive)
    in_template = np.where(empty, 0, in_template)
    longest = np.where(empty, 0, longest)
    out = [Brief(s, t, r) for s, t, r in zip(substantive.tolist(), in_template.tolist(), longest.tolist())]
    return list(zip(out[:pairs], out[pairs:]))


def _continue_runs(where: np.ndarray, repeated: np.ndarray, seg: np.ndarray, partner: np.ndarray,
                   gram_base: np.ndarray, grams: np.ndarray, code: np.ndarray) -> np.ndarray:
    """A gram the other prompt holds more than once takes the place right after its
    predecessor's, when the other prompt holds it there: the run goes on. Each gram depends on
    the one before it, so the passes repeat until nothing moves (the one-pass result)."""
    twice = np.flatnonzero(repeated)
    if not len(twice):
        return where
    first_at = where[twice]
    other = partner[seg[twice]]
    where = where.copy()
    while True:
        nxt = where[twice - 1] + 1
        ok = (nxt > 0) & (nxt < grams[other])
        ok[ok] = code[gram_base[other[ok]] + nxt[ok]] == code[twice[ok]]
        moved = np.where(ok, nxt, first_at)
        if np.array_equal(moved, where[twice]):
            return where
        where[twice] = moved


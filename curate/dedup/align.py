"""Two prompts side by side, for many pairs at once: what they share (a passage: a run of at
least CONTEXT_WORDS words whose 3-grams follow each other in the same order in both), and what
each has that the other lacks beside it, inside and outside template wording.

Aligned one pair at a time, this cost ~40 small numpy calls a pair, and tens of thousands of
pairs reach it on a real set: most of dedup's time went to call overhead, not to work. Here
every pair of a batch is aligned in the same few array passes. Each pair is measured both
ways (a against b, b against a: a "directed pair"); a directed pair's 3-grams are one segment
of a flat array, looked up in the other prompt's 3-grams by a sorted key (directed pair,
dense gram code); its words are one segment of the slot arrays, GRAM - 1 slots longer so that
flags spread over a gram's words never spill into the next segment.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import compress

import numpy as np

from curate.dedup.grams import GRAM, gram_sets, member
from curate.dedup.prompts import CONTEXT_WORDS, Anatomy

CODE_BITS = 32  # dense gram codes of one batch; the directed pair sits above them
BATCH = 512  # pairs aligned at once (~25 MB of flat arrays): 2048 cost 1.3x the CPU, out of cache
ROW_BITS = 32  # a pair's key: its low row above, its high row below


class Brief:
    """One prompt measured against the other: the words only it has, outside and inside
    template wording (beside the passage, a word counts as shared only with what the other
    prompt has beside its passage: a question quoting the passage still differs), its longest
    run of words the other holds in the same order, and (views into the batch) which of its
    words and 3-grams lie outside the shared passage. A plain class with slots: a batch makes
    two a pair, and a dataclass's frozen init cost more than the alignment."""

    __slots__ = ("context_run", "outside", "rest", "substantive", "templated")

    def __init__(self, substantive: int, templated: int, context_run: int, outside: np.ndarray, rest: np.ndarray):
        self.substantive, self.templated, self.context_run = substantive, templated, context_run
        self.outside, self.rest = outside, rest  # per word, per 3-gram

    @property
    def measures(self) -> tuple[int, int, int]:
        """What a tier that does not read the words needs: (substantive, templated, context_run)."""
        return self.substantive, self.templated, self.context_run

    def rest_ids(self, prompt) -> frozenset[int]:
        """The 3-grams outside the shared passage: the question, the template."""
        return frozenset(prompt.ids[self.rest].tolist())

    def beside(self, prompt) -> frozenset[str]:
        """The words outside the shared passage."""
        return frozenset(compress(prompt.words, self.outside.tolist()))


class Known:
    """The measures of pairs aligned once, so that a later tier judging the same pair reads them
    instead of aligning it again (the semantic tier meets most of the near tier's aligned pairs).
    A sorted array of pair keys (low row, high row) and one row of six ints a pair, not a dict of
    objects, so that millions of pairs stay small; the Briefs it gives hold no word views."""

    def __init__(self, keys: np.ndarray | None = None, values: np.ndarray | None = None):
        self.keys = np.zeros(0, np.int64) if keys is None else keys
        self.values = np.zeros((0, 6), np.int64) if values is None else values

    @classmethod
    def of(cls, measured: list[tuple[int, int, tuple, tuple]]) -> Known:
        """From (i, j, a's measures, b's measures) of aligned pairs."""
        if not measured:
            return cls()
        i, j, a, b = (np.array(x, dtype=np.int64) for x in zip(*measured))
        flip = (i > j)[:, None]
        low, high = np.minimum(i, j), np.maximum(i, j)
        return cls._sorted((low << ROW_BITS) | high, np.hstack((np.where(flip, b, a), np.where(flip, a, b))))

    @classmethod
    def merged(cls, parts: list[Known]) -> Known:
        return cls._sorted(np.concatenate([p.keys for p in parts] or [np.zeros(0, np.int64)]),
                           np.concatenate([p.values for p in parts] or [np.zeros((0, 6), np.int64)]))

    @classmethod
    def _sorted(cls, keys: np.ndarray, values: np.ndarray) -> Known:
        keys, first = np.unique(keys, return_index=True)
        return cls(keys, values[first])

    def find(self, first: list[int], second: list[int]) -> list[tuple[Brief, Brief] | None]:
        """Per pair (first[k], second[k]): its two Briefs (measures only), or None if not known."""
        i, j = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
        key = (np.minimum(i, j) << ROW_BITS) | np.maximum(i, j)
        at = np.minimum(np.searchsorted(self.keys, key), max(len(self.keys) - 1, 0))
        found = (self.keys[at] == key) if len(self.keys) else np.zeros(len(key), dtype=bool)
        out: list[tuple[Brief, Brief] | None] = [None] * len(key)
        for k in np.flatnonzero(found).tolist():
            low, high = (Brief(*m, None, None) for m in (self.values[at[k], :3].tolist(),
                                                         self.values[at[k], 3:].tolist()))
            out[k] = (low, high) if first[k] < second[k] else (high, low)
        return out

    def briefs(self, anatomy: Anatomy, first: list[int], second: list[int]) -> list[tuple[Brief, Brief]]:
        """Per pair: its two Briefs, read where known, else aligned (the new pairs together)."""
        out = self.find(first, second)
        new = [k for k, found in enumerate(out) if found is None]
        for k, (sa, sb, _) in zip(new, aligned(anatomy, [first[k] for k in new], [second[k] for k in new])):
            out[k] = (sa, sb)
        return out


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


def aligned(anatomy: Anatomy, first: list[int], second: list[int]) -> Iterator[tuple[Brief, Brief, float]]:
    """`briefs` of each pair (first[k], second[k]) in order, aligned BATCH pairs at a time."""
    for start in range(0, len(first), BATCH):
        yield from briefs(anatomy, np.array(first[start:start + BATCH], dtype=np.int64),
                          np.array(second[start:start + BATCH], dtype=np.int64))


def briefs(anatomy: Anatomy, first: np.ndarray, second: np.ndarray) -> list[tuple[Brief, Brief, float]]:
    """(Brief a, Brief b, 3-gram Jaccard of the prompts) of each pair (first[k], second[k])."""
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    pairs = len(first)
    if not pairs:
        return []
    rows, local = np.unique(np.concatenate((first, second)), return_inverse=True)
    row_offsets, flat = gram_sets(anatomy.tokens, anatomy.offsets, rows)
    row_grams = np.diff(row_offsets)
    row_words = np.diff(anatomy.offsets)[rows]
    codes = np.unique(flat, return_inverse=True)[1].astype(np.int64)
    row_of = np.repeat(np.arange(len(rows), dtype=np.int64), row_grams)
    first_in_row = np.zeros(len(flat), dtype=bool)
    first_in_row[np.unique((row_of << CODE_BITS) | codes, return_index=True)[1]] = True
    distinct = np.bincount(row_of[first_in_row], minlength=len(rows))

    # directed pair d: prompt p[d] against prompt p[partner[d]]; its grams are one segment of
    # the flat gram arrays, its words one segment of GRAM - 1 more slots of the slot arrays
    p = np.concatenate((local[:pairs], local[pairs:]))
    partner = np.concatenate((np.arange(pairs, 2 * pairs), np.arange(pairs)))
    grams, words = row_grams[p], row_words[p]
    at, seg, pos = _spans(row_offsets[:-1][p], grams)
    gram_base = np.cumsum(grams) - grams
    slots = words + GRAM - 1
    slot_base = np.cumsum(slots) - slots
    gram_slot = slot_base[seg] + pos
    code = codes[at]

    # the other prompt's grams, keyed by the directed pair they answer; stable: first place first
    their_key = (partner[seg] << CODE_BITS) | code
    order = np.argsort(their_key, kind="stable")
    ranked = np.append(their_key[order], [-1, -1])  # sentinels: every lookup, and the one after it, land
    key = (seg << CODE_BITS) | code
    slot = np.searchsorted(ranked[:-2], key)
    hit = ranked[slot] == key
    again = hit & (ranked[slot + 1] == key)
    where = _continue_runs(np.where(hit, np.append(pos[order], -1)[slot], -1), again & (pos > 0), seg, partner,
                           gram_base, grams, code)
    shared = np.bincount(seg[hit & first_in_row[at]], minlength=2 * pairs)[:pairs]
    union = distinct[p[:pairs]] + distinct[p[pairs:]] - shared
    score = np.divide(shared, union, out=np.ones(pairs), where=union > 0)

    in_passage, longest = _passages(where, pos, seg, 2 * pairs)
    pad = np.zeros(int(slots.sum()), dtype=bool)
    for k in range(GRAM - 1):
        pad[slot_base + words + k] = True

    def to_slots(flags: np.ndarray) -> np.ndarray:
        out = np.zeros(len(pad), dtype=bool)
        out[gram_slot] = flags
        return out

    context = _cover(to_slots(in_passage))
    empty = (grams == 0) | (grams[partner] == 0)  # all words of both differ, no passage
    rest = ~_inside(context | pad)[gram_slot] & ~empty[seg]
    # beside the passage, a gram is shared only with the other prompt's grams outside its passage
    new = np.ones(len(order), dtype=bool)
    new[1:] = ranked[1:len(order)] != ranked[:len(order) - 1]
    group = np.append(np.cumsum(new) - 1, [0, 0])
    group_rest = np.bincount(group[:len(order)], weights=rest[order], minlength=1) > 0
    only = ~(context | _cover(to_slots(hit & group_rest[group[slot]])) | pad)
    template_word = _cover(to_slots(member(flat, anatomy.boilerplate)[at]))
    substantive = np.where(empty, words + words[partner],
                           np.add.reduceat(only & ~template_word, slot_base, dtype=np.int64))
    in_template = np.where(empty, 0, np.add.reduceat(only & template_word, slot_base, dtype=np.int64))
    longest = np.where(empty, 0, longest)
    outside = ~context
    out = [Brief(s, t, r, outside[b:b + w], rest[g:g + n]) for s, t, r, b, w, g, n in zip(
        substantive.tolist(), in_template.tolist(), longest.tolist(), slot_base.tolist(), words.tolist(),
        gram_base.tolist(), grams.tolist())]
    return list(zip(out[:pairs], out[pairs:], score.tolist()))


def _passages(where: np.ndarray, pos: np.ndarray, seg: np.ndarray, segments: int) -> tuple[np.ndarray, np.ndarray]:
    """Per gram: inside a passage (a run of grams found in the same order in the other prompt,
    CONTEXT_WORDS words or more); per segment: the longest run's words."""
    found = where >= 0
    start = found.copy()
    start[1:] &= ~(found[:-1] & (np.diff(where) == 1) & (pos[1:] > 0))  # a run goes on while the other's follow
    run = np.cumsum(start) * found
    run_words = np.bincount(run)[1:] + GRAM - 1
    longest = np.zeros(segments, dtype=np.int64)
    np.maximum.at(longest, seg[start], run_words)
    return np.concatenate(([False], run_words >= CONTEXT_WORDS))[run] & found, longest


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


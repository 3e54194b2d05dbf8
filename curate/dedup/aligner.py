"""The alignment of two prompts, compiled (numba): each pair is a few loops over its words and
3-grams, with a small hash table of each prompt's grams. The same alignment as numpy passes
over a batch of pairs sorted and searched the whole batch's grams, a third of dedup's time at
39K rows. `align.briefs` reads the results.

Per directed pair (prompt P measured against prompt Q):
- each gram of P is found at its first place in Q; a gram Q holds more than once takes the
  place right after its predecessor's where Q holds it there, so a run goes on;
- a run of grams found at consecutive places of Q, `passage_words` words or more, is a shared
  passage; its words are P's context;
- a word of P is its own when it is outside its passage and no gram holding it is held by Q
  outside Q's passage; own words inside template wording (boilerplate grams) count apart.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from curate.dedup.grams import GRAM, TOKEN_BITS, TOKEN_MASK

EMPTY = -1  # a free slot of a hash table (gram ids are never negative)


@njit(cache=True)
def row_grams(tokens, offsets, row, out):
    """Row's 3-gram ids into `out` (as `grams.gram_ids`: a text shorter than three words is
    one gram of what it has, padded); returns how many."""
    start, n = offsets[row], offsets[row + 1] - offsets[row]
    if n == 0:
        return 0
    for k in range(max(n, GRAM) - GRAM + 1):
        gram = 0
        for w in range(k, k + GRAM):
            gram = (gram << TOKEN_BITS) | ((np.int64(tokens[start + w]) & TOKEN_MASK) if w < n else TOKEN_MASK)
        out[k] = gram
    return max(n, GRAM) - GRAM + 1


@njit(cache=True)
def find_slot(keys, gram):
    """The slot of `gram` in the table, or of the free slot where it would go."""
    mask = len(keys) - 1
    at = np.int64((np.uint64(gram) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)) & mask
    while keys[at] != EMPTY and keys[at] != gram:
        at = (at + 1) & mask
    return at


@njit(cache=True)
def fill_table(grams, n, keys, first, count, slots):
    """The grams into an empty table: per slot its gram, first place and count; per gram its
    slot. Returns how many distinct grams."""
    distinct = 0
    for k in range(n):
        at = find_slot(keys, grams[k])
        if keys[at] == EMPTY:
            keys[at], first[at], count[at] = grams[k], k, 0
            distinct += 1
        count[at] += 1
        slots[k] = at
    return distinct


@njit(cache=True)
def _places(p, n_p, q, n_q, keys, first, count, where, found_at):
    """Where each gram of p sits in q (-1 if q lacks it), a run going on through grams q holds
    more than once; and each gram's slot in q's table (-1 if q lacks it)."""
    for k in range(n_p):
        at = find_slot(keys, p[k])
        if keys[at] == EMPTY:
            where[k], found_at[k] = -1, -1
            continue
        found_at[k], where[k] = at, first[at]
        if count[at] > 1 and k > 0 and where[k - 1] >= 0:
            nxt = where[k - 1] + 1
            if nxt < n_q and q[nxt] == p[k]:
                where[k] = nxt


@njit(cache=True)
def _context(where, n_p, words, passage_words, context):
    """Marks p's words inside a shared passage; returns the longest run's words (0 if none)."""
    context[:words + GRAM] = False
    longest, k = 0, 0
    while k < n_p:
        if where[k] < 0:
            k += 1
            continue
        end = k + 1
        while end < n_p and where[end] >= 0 and where[end] - where[end - 1] == 1:
            end += 1
        run = end - k + GRAM - 1
        longest = max(longest, run)
        if run >= passage_words:
            context[k:end + GRAM - 1] = True
        k = end
    return longest


@njit(cache=True)
def _rest(n_p, context, words, empty, rest):
    """Per gram of p: it holds a word outside the passage."""
    for g in range(n_p):
        rest[g] = False
        if not empty:
            for s in range(g, min(g + GRAM, words)):
                if not context[s]:
                    rest[g] = True


@njit(cache=True)
def in_template(grams, n, word, boilerplate):
    """Whether a 3-gram holding the word (of grams[:n]) is template wording (in the sorted
    boilerplate)."""
    for g in range(max(0, word - GRAM + 1), min(word + 1, n)):
        at = np.searchsorted(boilerplate, grams[g])
        if at < len(boilerplate) and boilerplate[at] == grams[g]:
            return True
    return False


@njit(cache=True)
def _own(p, n_p, words, found_at, q_rest_any, boilerplate, context, held):
    """(own words outside template wording, own words inside it) of p."""
    held[:words + GRAM] = False
    for g in range(n_p):
        if found_at[g] >= 0 and q_rest_any[found_at[g]]:
            held[g:g + GRAM] = True
    substantive, templated = 0, 0
    for s in range(words):
        if context[s] or held[s]:
            continue
        if in_template(p, n_p, s, boilerplate):
            templated += 1
        else:
            substantive += 1
    return substantive, templated


@njit(cache=True)
def shared_and_union(a, n_a, b, n_b, keys_a, keys_b, first, count, slots):
    """(distinct values both of a[:n_a] and b[:n_b] hold, distinct values either holds)."""
    shared, distinct_a, distinct_b = shared_and_sizes(a, n_a, b, n_b, keys_a, keys_b, first, count, slots)
    return shared, distinct_a + distinct_b - shared


@njit(cache=True)
def shared_and_sizes(a, n_a, b, n_b, keys_a, keys_b, first, count, slots):
    """(distinct values both of a[:n_a] and b[:n_b] hold, distinct values of a, of b)."""
    width = 2
    while width < 2 * max(n_a, n_b):
        width *= 2
    keys_a[:width], keys_b[:width] = EMPTY, EMPTY
    distinct_a = fill_table(a, n_a, keys_a[:width], first, count, slots)
    distinct_b = fill_table(b, n_b, keys_b[:width], first, count, slots)
    shared = 0
    for at in range(width):
        if keys_b[at] != EMPTY and keys_a[find_slot(keys_a[:width], keys_b[at])] != EMPTY:
            shared += 1
    return shared, distinct_a, distinct_b


@njit(cache=True)
def jaccard_of(shared, union):
    """A Jaccard index as `seedling.text.jaccard` gives it: 1.0 for two empty sets."""
    return shared / union if union > 0 else 1.0


@njit(cache=True)
def align_pairs(tokens, offsets, boilerplate, first, second, passage_words, measures, scores, beside):
    """Per pair k (first[k], second[k]): measures[k] = (substantive, templated, longest run) of
    the first prompt then of the second; scores[k] their 3-gram Jaccard; beside[k] = (Jaccard of
    their 3-grams outside the passage, Jaccard of their words beside a passage both share (of
    all their words when they share none), how many of those words one has and the other lacks)."""
    pairs = len(first)
    size = GRAM
    for k in range(pairs):
        size = max(size, offsets[first[k] + 1] - offsets[first[k]], offsets[second[k] + 1] - offsets[second[k]])
    table = 1
    while table < 2 * size:
        table *= 2
    grams, chosen = np.empty((2, size), np.int64), np.empty((2, size), np.int64)
    keys, first_at, count = np.empty((2, table), np.int64), np.empty((2, table), np.int64), np.empty((2, table), np.int64)
    rest_any = np.empty((2, table), np.bool_)
    slots, where, found_at = np.empty((2, size), np.int64), np.empty((2, size), np.int64), np.empty((2, size), np.int64)
    context, held = np.empty((2, size + GRAM), np.bool_), np.empty((2, size + GRAM), np.bool_)
    flags = np.empty((2, size), np.bool_)
    n, words, distinct, run = np.zeros(2, np.int64), np.zeros(2, np.int64), np.zeros(2, np.int64), np.zeros(2, np.int64)
    for k in range(pairs):
        rows = (first[k], second[k])
        for x in range(2):
            n[x] = row_grams(tokens, offsets, rows[x], grams[x])
            words[x] = offsets[rows[x] + 1] - offsets[rows[x]]
        width = 2
        while width < 2 * max(n[0], n[1]):
            width *= 2  # a table at most half full
        for x in range(2):
            keys[x, :width] = EMPTY
            distinct[x] = fill_table(grams[x], n[x], keys[x, :width], first_at[x], count[x], slots[x])
        for x in range(2):
            y = 1 - x
            _places(grams[x], n[x], grams[y], n[y], keys[y, :width], first_at[y], count[y], where[x], found_at[x])
            run[x] = _context(where[x], n[x], words[x], passage_words, context[x])
        empty = n[0] == 0 or n[1] == 0
        for x in range(2):
            _rest(n[x], context[x], words[x], empty, flags[x])
            rest_any[x, :width] = False
            for g in range(n[x]):
                rest_any[x, slots[x, g]] |= flags[x, g]
        for x in range(2):
            if empty:
                s, t, r = words[0] + words[1], 0, 0
            else:
                s, t = _own(grams[x], n[x], words[x], found_at[x], rest_any[1 - x], boilerplate, context[x], held[x])
                r = run[x]
            measures[k, 3 * x], measures[k, 3 * x + 1], measures[k, 3 * x + 2] = s, t, r
        shared, rest_shared = 0, 0
        for g in range(n[0]):
            if found_at[0, g] >= 0 and first_at[0, slots[0, g]] == g:
                shared += 1
                if rest_any[0, slots[0, g]] and rest_any[1, found_at[0, g]]:
                    rest_shared += 1
        scores[k] = jaccard_of(shared, distinct[0] + distinct[1] - shared)
        rest_union = -rest_shared
        for x in range(2):
            for at in range(width):
                if keys[x, at] != EMPTY and rest_any[x, at]:
                    rest_union += 1
        beside[k, 0] = jaccard_of(rest_shared, rest_union)
        passage = min(run[0], run[1]) >= passage_words
        chose = np.zeros(2, np.int64)
        for x in range(2):
            for s in range(words[x]):
                if not (passage and context[x, s]):
                    chosen[x, chose[x]] = tokens[offsets[rows[x]] + s]
                    chose[x] += 1
        both, either = shared_and_union(chosen[0], chose[0], chosen[1], chose[1], keys[0], keys[1], first_at[0],
                                        count[0], slots[0])
        beside[k, 1], beside[k, 2] = jaccard_of(both, either), either - both

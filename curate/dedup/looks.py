"""The first look at many pairs at once, compiled (numba): whether the answers leave a pair's
prompts to decide, before anything is aligned. Half a million pairs reach this at 39K rows;
one Python call a pair, building each row's word and answer sets, cost more than aligning the
pairs that remain. `compare.compare_many` reads the flags.

A pair is looked at when its rows give the same answer, or two answers that can count as
evidence (`informative`), or when both are bare prompts of a pool of prompts. It stays open
when it is bare, or its answers match (the same answer, or evidence answers whose 3-gram
Jaccard reaches the threshold), and, if the answers prove nothing, when neither prompt has
more than `edge_words` words outside template wording that the other lacks.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from curate.dedup.aligner import (
    in_template,
    jaccard_of,
    row_grams,
    shared_and_sizes,
    shared_and_union,
)
from curate.dedup.grams import GRAM


@njit(cache=True)
def _new_words(tokens, offsets, p, grams, n, boilerplate, stamp, mark, limit):
    """Words of row p outside template wording that the row whose words carry `stamp` in
    `mark` lacks, counted up to limit + 1."""
    found = 0
    for s in range(offsets[p + 1] - offsets[p]):
        if mark[tokens[offsets[p] + s]] == stamp:
            continue
        if not in_template(grams, n, s, boilerplate):
            found += 1
            if found > limit:
                break
    return found


@njit(cache=True)
def first_looks(tokens, offsets, answer_tokens, answer_offsets, vocab, boilerplate, codes, informative, answerless,
                first, second, threshold, prompts_only, edge_words, looked, bare, evidence):
    """Per pair k (first[k], second[k]): looked[k] when its prompts must be aligned to decide
    it, with bare[k] (two bare prompts) and evidence[k] (the answers can prove sameness)."""
    longest = GRAM
    for r in np.concatenate((first, second)):
        longest = max(longest, offsets[r + 1] - offsets[r], answer_offsets[r + 1] - answer_offsets[r])
    a, b = np.empty(longest, np.int64), np.empty(longest, np.int64)
    width = 2
    while width < 2 * longest:
        width *= 2
    keys_a, keys_b = np.empty(width, np.int64), np.empty(width, np.int64)
    first_at, count, slots = np.empty(width, np.int64), np.empty(width, np.int64), np.empty(longest, np.int64)
    mark = np.full(vocab, -1, np.int64)
    for k in range(len(first)):
        i, j = first[k], second[k]
        looked[k] = False
        same = codes[i] == codes[j]
        both = informative[i] and informative[j]
        if not (prompts_only or same or both):
            continue
        bare[k] = prompts_only and answerless[i] and answerless[j]
        if not (bare[k] or same):
            if not both:
                continue
            n_a = row_grams(answer_tokens, answer_offsets, i, a)
            n_b = row_grams(answer_tokens, answer_offsets, j, b)
            shared, union = shared_and_union(a, n_a, b, n_b, keys_a, keys_b, first_at, count, slots)
            if jaccard_of(shared, union) < threshold:
                continue
        evidence[k] = bare[k] or both
        if not evidence[k]:
            edited = False
            for p, q, stamp in ((i, j, 2 * k), (j, i, 2 * k + 1)):
                for s in range(offsets[q], offsets[q + 1]):
                    mark[tokens[s]] = stamp
                n = row_grams(tokens, offsets, p, a)
                if _new_words(tokens, offsets, p, a, n, boilerplate, stamp, mark, edge_words) > edge_words:
                    edited = True
                    break
            if edited:
                continue
        looked[k] = True


ANSWERS_DIFFER, INVERSE = 1, 2  # `answer_kinds`: 0 when the answers leave the prompts to decide
ANSWER_WORDS_AGREE = 0.5  # word Jaccard of two paraphrases' answers: they say the same thing
INVERSE_SHARE = 0.5  # of an answer's 3-grams in the other row's prompt: the task asked the other way round


def close_answer_kinds(anatomy, first: list[int], second: list[int]) -> np.ndarray:
    """`answer_kinds` of the pairs (first[k], second[k]) of a dataset's anatomy."""
    kinds = np.zeros(len(first), dtype=np.int64)
    answer_kinds(anatomy.tokens, anatomy.offsets, anatomy.answer_tokens, anatomy.answer_offsets, anatomy.answer_codes,
                 np.array(first, dtype=np.int64), np.array(second, dtype=np.int64), ANSWER_WORDS_AGREE, INVERSE_SHARE,
                 kinds)
    return kinds


@njit(cache=True)
def _answer_words(answer_tokens, answer_offsets, row, out):
    n = answer_offsets[row + 1] - answer_offsets[row]
    for k in range(n):
        out[k] = answer_tokens[answer_offsets[row] + k]
    return n


@njit(cache=True)
def answer_kinds(tokens, offsets, answer_tokens, answer_offsets, codes, first, second, agree, inverse_share, kinds):
    """Per close pair k (first[k], second[k]) of a semantic tier: kinds[k] = ANSWERS_DIFFER
    unless the answers are the same or share `agree` of their words (word Jaccard), else
    INVERSE when one row's answer is new to its own prompt but `inverse_share` of its 3-grams
    sit in the other's prompt (the same material asked the other way round), else 0."""
    longest = GRAM
    for r in np.concatenate((first, second)):
        longest = max(longest, offsets[r + 1] - offsets[r], answer_offsets[r + 1] - answer_offsets[r])
    width = 2
    while width < 2 * longest:
        width *= 2
    a, b = np.empty(longest, np.int64), np.empty(longest, np.int64)
    keys_a, keys_b = np.empty(width, np.int64), np.empty(width, np.int64)
    first_at, count, slots = np.empty(width, np.int64), np.empty(width, np.int64), np.empty(longest, np.int64)
    for k in range(len(first)):
        i, j = first[k], second[k]
        kinds[k] = 0
        if codes[i] != codes[j]:
            n_a = _answer_words(answer_tokens, answer_offsets, i, a)
            n_b = _answer_words(answer_tokens, answer_offsets, j, b)
            shared, union = shared_and_union(a, n_a, b, n_b, keys_a, keys_b, first_at, count, slots)
            if jaccard_of(shared, union) < agree:
                kinds[k] = ANSWERS_DIFFER
                continue
        for x, y in ((i, j), (j, i)):
            n_answer = row_grams(answer_tokens, answer_offsets, x, a)
            if n_answer == 0:
                continue
            inside = np.zeros(2, np.bool_)
            for z in range(2):
                n_prompt = row_grams(tokens, offsets, y if z == 0 else x, b)
                shared, held, _ = shared_and_sizes(a, n_answer, b, n_prompt, keys_a, keys_b, first_at, count, slots)
                inside[z] = shared >= inverse_share * held
            if inside[0] and not inside[1]:
                kinds[k] = INVERSE
                break

"""Two prompts side by side: what they share, and whether what differs is a question, template
wording or nothing. The verdict says what kind of sameness a pair has, never more than the
text shows:

- `duplicate`: the same task again. The prompts are at least `threshold` alike (word 3-gram
  Jaccard), and so is what is left of them once a shared passage is set aside (or it differs
  by a word or two), and the answers say the same thing at some length. A one-word answer is
  no evidence: two questions over one passage that are both answered "yes" stay two rows.
  With the same informative answer, prompts whose WORDS agree that much, or differ by at most
  two words, are enough: a short instruction loses most of its 3-grams to one dropped or
  swapped word. Unless the answers are the same, an entity, number or name swapped between the prompts makes two tasks
  ("foot, metre" / "yard, metre"). In a pool of prompts (no answers) the prompts alone
  decide, unless a number or a named thing differs.
- `variant`: the same example and answer under another template: the prompts differ only in
  template wording (3-grams the dataset repeats across many prompts), give or take a word
  where template and example meet.
- `distinct`: the answers are evidence and match, but the prompts ask different things (the
  threshold decided it); `None` when the answers alone tell the rows apart or prove nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curate.dedup.align import Beside, Brief, aligned
from curate.dedup.content import swapped
from curate.dedup.looks import close_answer_kinds, first_looks
from curate.dedup.prompts import CONTEXT_WORDS, Anatomy
from seedling.text import jaccard

EDGE_WORDS = 2  # words a template leaves at its seams with the example it wraps

@dataclass(frozen=True)
class Verdict:
    kind: str  # duplicate | variant | distinct
    score: float
    detail: str

def template_only(sa: Brief, sb: Brief) -> bool:
    """The prompts differ in template wording and in nothing else worth a word."""
    return bool(sa.templated or sb.templated) and max(sa.substantive, sb.substantive) <= EDGE_WORDS

def shared_passage(sa: Brief, sb: Brief) -> int:
    """Words of the longest passage both prompts hold, or 0 when they share none that long."""
    run = min(sa.context_run, sb.context_run)
    return run if run >= CONTEXT_WORDS else 0

def compare(anatomy: Anatomy, i: int, j: int, threshold: float, prompts_only: bool = False) -> Verdict | None:
    """The kind of sameness of rows i and j whose prompts differ. `prompts_only`: rows without
    an answer are compared on their prompts alone."""
    return compare_many(anatomy, [(i, j)], threshold, prompts_only)[0]

def load_kernels(anatomy: Anatomy) -> None:
    """Compile (or read from numba's cache) the first-look, alignment and answer kernels in this
    process, so that workers forked after it inherit them instead of each reading them again."""
    if len(anatomy):
        compare_many(anatomy, [(0, 0)], 1.0)
        close_answer_kinds(anatomy, [0], [0])


def compare_many(anatomy: Anatomy, pairs: list[tuple[int, int]], threshold: float,
                 prompts_only: bool = False, kept: list | None = None) -> list[Verdict | None]:
    """`compare` of each pair; the pairs whose answers leave the prompts to decide are aligned
    together (`align.aligned`), and their (i, j, measures of i, measures of j) added to
    `kept` if given, for a later tier to read instead of aligning them again."""
    first = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
    second = np.fromiter((j for _, j in pairs), dtype=np.int64, count=len(pairs))
    looked, bare, evidence = (np.zeros(len(pairs), dtype=bool) for _ in range(3))
    first_looks(anatomy.tokens, anatomy.offsets, anatomy.answer_tokens, anatomy.answer_offsets, len(anatomy.vocab),
                anatomy.boilerplate, anatomy.answer_codes, anatomy.informative, anatomy.answerless, first, second,
                threshold, prompts_only, EDGE_WORDS, looked, bare, evidence)
    open_ = np.flatnonzero(looked).tolist()
    out: list[Verdict | None] = [None] * len(pairs)
    measured = aligned(anatomy, first[open_].tolist(), second[open_].tolist())
    for k, look, pair in zip(open_, zip(bare[open_].tolist(), evidence[open_].tolist()), measured):
        out[k] = _verdict(anatomy, *pairs[k], threshold, look, pair)
        if kept is not None:
            kept.append((*pairs[k], pair[0].measures, pair[1].measures))
    return out


def _answers(anatomy: Anatomy, i: int, j: int, bare: bool) -> str:
    """What the pair's answers were found to be, for the reason."""
    if bare:
        return "no answers, prompts compared"
    a, b = anatomy.prompts[i], anatomy.prompts[j]
    if a.answer_key == b.answer_key:
        return "same answer"
    return f"answers alike (3-gram Jaccard {jaccard(a.answer_ids, b.answer_ids):.2f})"

def _verdict(anatomy: Anatomy, i: int, j: int, threshold: float, look: tuple[bool, bool],
             aligned_pair: tuple[Brief, Brief, float, Beside]) -> Verdict | None:
    bare, evidence = look
    sa, sb, score, beside = aligned_pair
    if template_only(sa, sb):
        return Verdict("variant", score, f"template wording differs ({sa.templated + sb.templated} words), "
                                         f"example and answer the same")
    if not evidence:
        return None
    passage = shared_passage(sa, sb)
    ra, rb = anatomy.records[i], anatomy.records[j]
    if bare or anatomy.answer_keys[i] != anatomy.answer_keys[j]:  # only the same answer outweighs a swapped entity
        swap = swapped(ra.prompt, rb.prompt, *((None, None) if bare else (ra.output, rb.output)))
        if swap:
            return Verdict("distinct", score, f"prompts differ: {swap}")
    if score >= threshold and not passage:
        return Verdict("duplicate", score, f"prompt 3-gram Jaccard {score:.2f} >= {threshold}, "
                                           f"{_answers(anatomy, i, j, bare)}")
    edges_only = max(sa.substantive, sb.substantive) <= EDGE_WORDS
    if score >= threshold and (edges_only or beside.rest_jaccard >= threshold):
        rest = f"at most {EDGE_WORDS} words" if edges_only else "the words"
        return Verdict("duplicate", score, f"prompt 3-gram Jaccard {score:.2f} >= {threshold} and {rest} beside "
                                           f"a shared passage of {passage} words{'' if edges_only else ' alike too'}, "
                                           f"{_answers(anatomy, i, j, bare)}")
    agree, edited = beside.word_jaccard, beside.words_differ
    if not bare and (agree >= threshold or edited <= EDGE_WORDS):
        where = f" beside a shared passage of {passage} words" if passage else ""
        return Verdict("duplicate", score, f"prompt words{where} agree {agree:.2f} ({edited} differ; 3-gram Jaccard "
                                           f"{score:.2f}), {_answers(anatomy, i, j, bare)}")
    if score < threshold:
        return Verdict("distinct", score, f"prompt 3-gram Jaccard {score:.2f} < {threshold}")
    return Verdict("distinct", score, f"one passage of {passage} words, different questions")

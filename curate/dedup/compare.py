"""Two prompts side by side: what they share, and whether what differs is a question, template
wording or nothing. The verdict says what kind of sameness a pair has, never more than the
text shows:

- `duplicate`: the same task again. The prompts are at least `threshold` alike (word 3-gram
  Jaccard), and so is what is left of them once a shared passage is set aside (or it differs
  by a word or two), and the answers say the same thing at some length. A one-word answer is no evidence: two questions over one passage that
  are both answered "yes" stay two rows.
- `variant`: the same example and answer under another template: the prompts differ only in
  template wording (3-grams the dataset repeats across many prompts), give or take a word
  where template and example meet.
- otherwise the rows are distinct (`None`).
"""

from __future__ import annotations

from dataclasses import dataclass

from curate.dedup.prompts import CONTEXT_WORDS, GRAM, Anatomy, Prompt
from seedling.text import jaccard

EDGE_WORDS = 2  # words a template leaves at its seams with the example it wraps
ANSWER_WORDS_AGREE = 0.5  # word Jaccard of two answers that say the same thing
INVERSE_SHARE = 0.5  # share of an answer's 3-grams found in the other row's prompt


@dataclass(frozen=True)
class Side:
    """One prompt measured against the other."""

    substantive: int  # words only this prompt has, outside template wording
    templated: int  # words only this prompt has, inside template wording
    context_run: int  # longest run of words both prompts share
    rest: frozenset[str]  # 3-grams outside the long shared runs: the question, the template


@dataclass(frozen=True)
class Verdict:
    kind: str  # duplicate | variant
    score: float
    detail: str


def side(p: Prompt, other: Prompt, boilerplate: frozenset[str]) -> Side:
    n, grams = len(p.words), p.grams
    if not grams:
        return Side(0, 0, 0, frozenset())
    shared_gram = [g in other.gram_set for g in grams]
    template_gram = [g in boilerplate for g in grams]
    substantive = templated = run = longest = 0
    in_context = [False] * n
    start = 0
    for k in range(n):
        cover = range(max(0, k - GRAM + 1), min(k, len(grams) - 1) + 1)
        shared = any(shared_gram[c] for c in cover)
        if shared:
            if run == 0:
                start = k
            run += 1
            longest = max(longest, run)
        else:
            if run >= CONTEXT_WORDS:
                in_context[start:k] = [True] * run
            run = 0
            if any(template_gram[c] for c in cover):
                templated += 1
            else:
                substantive += 1
    if run >= CONTEXT_WORDS:
        in_context[start:n] = [True] * run
    rest = frozenset(g for c, g in enumerate(grams) if not all(in_context[c:c + GRAM]))
    return Side(substantive, templated, longest, rest)


def answers_match(a: Prompt, b: Prompt, threshold: float) -> bool:
    if a.answer == b.answer:
        return True
    return a.informative and b.informative and jaccard(a.answer_grams, b.answer_grams) >= threshold


def answers_agree(a: Prompt, b: Prompt) -> bool:
    """For paraphrased prompts: the answers say the same thing in mostly the same words, so a
    close embedding of two different answers (two news stories, two questions) is not enough."""
    return a.answer == b.answer or jaccard(set(a.answer.split()), set(b.answer.split())) >= ANSWER_WORDS_AGREE


def inverse(a: Prompt, b: Prompt) -> bool:
    """One row's answer sits in the other's prompt: the same material asked the other way round
    (summarise a dialogue / write the dialogue for a summary), two tasks."""
    def inside(answer: frozenset[str], prompt: frozenset[str]) -> bool:
        return bool(answer) and len(answer & prompt) >= INVERSE_SHARE * len(answer)

    return inside(a.answer_grams, b.gram_set) or inside(b.answer_grams, a.gram_set)


def sides(anatomy: Anatomy, i: int, j: int) -> tuple[Side, Side]:
    a, b = anatomy.prompts[i], anatomy.prompts[j]
    return side(a, b, anatomy.boilerplate), side(b, a, anatomy.boilerplate)


def template_only(sa: Side, sb: Side) -> bool:
    """The prompts differ in template wording and in nothing else worth a word."""
    return bool(sa.templated or sb.templated) and max(sa.substantive, sb.substantive) <= EDGE_WORDS


def shared_passage(sa: Side, sb: Side) -> int:
    """Words of the longest passage both prompts hold, or 0 when they share none that long."""
    run = min(sa.context_run, sb.context_run)
    return run if run >= CONTEXT_WORDS else 0


def compare(anatomy: Anatomy, i: int, j: int, threshold: float) -> Verdict | None:
    """The kind of sameness of rows i and j whose prompts differ, or None when distinct."""
    a, b = anatomy.prompts[i], anatomy.prompts[j]
    if not answers_match(a, b, threshold):
        return None
    sa, sb = sides(anatomy, i, j)
    score = jaccard(a.gram_set, b.gram_set)
    if template_only(sa, sb):
        return Verdict("variant", score, f"template wording differs ({sa.templated + sb.templated} words), "
                                         f"example and answer the same")
    if not (a.informative and b.informative and score >= threshold):
        return None
    passage = shared_passage(sa, sb)
    if not passage:
        return Verdict("duplicate", score, f"prompt 3-gram Jaccard {score:.2f} >= {threshold}, same answer")
    if max(sa.substantive, sb.substantive) <= EDGE_WORDS or jaccard(sa.rest, sb.rest) >= threshold:
        return Verdict("duplicate", score, f"prompt 3-gram Jaccard {score:.2f} >= {threshold} and the words beside "
                                           f"a shared passage of {passage} words alike too, same answer")
    return None

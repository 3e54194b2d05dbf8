"""Two prompts side by side: what they share, and whether what differs is a question, template
wording or nothing. The verdict says what kind of sameness a pair has, never more than the
text shows:

- `duplicate`: the same task again. The prompts are at least `threshold` alike (word 3-gram
  Jaccard), and so is what is left of them once a shared passage is set aside (or it differs
  by a word or two), and the answers say the same thing at some length. A one-word answer is
  no evidence: two questions over one passage that are both answered "yes" stay two rows.
  With the same informative answer, prompts whose WORDS agree that much, or differ by at most
  two words, are enough: a short instruction loses most of its 3-grams to one dropped or
  swapped word. Unless the answers
  are the same, an entity, number or name swapped between the prompts makes two tasks
  ("foot, metre" / "yard, metre"). In a pool of prompts (no answers) the prompts alone
  decide, unless a number or a named thing differs.
- `variant`: the same example and answer under another template: the prompts differ only in
  template wording (3-grams the dataset repeats across many prompts), give or take a word
  where template and example meet.
- `distinct`: the answers are evidence and match, but the prompts ask different things (the
  threshold decided it); `None` when the answers alone tell the rows apart or prove nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from curate.dedup.align import Brief, briefs
from curate.dedup.content import swapped
from curate.dedup.grams import GRAM, cover, member
from curate.dedup.prompts import CONTEXT_WORDS, Anatomy, Prompt
from seedling.text import jaccard

EDGE_WORDS = 2  # words a template leaves at its seams with the example it wraps
ANSWER_WORDS_AGREE = 0.5  # word Jaccard of two answers that say the same thing
INVERSE_SHARE = 0.5  # share of an answer's 3-grams found in the other row's prompt
ALIGN_BATCH = 2048  # pairs aligned at once: ~100 MB of flat arrays on prompts of ~300 words


@dataclass(frozen=True)
class Side:
    """One prompt measured against the other."""

    substantive: int  # words only this prompt has, outside template wording
    templated: int  # words only this prompt has, inside template wording
    context_run: int  # longest run of words both prompts share
    rest: frozenset[int]  # 3-grams outside the shared passage: the question, the template
    words: list[str] = field(default_factory=list)  # the prompt's words
    outside: np.ndarray | None = None  # per word: outside the shared passage (None: all are)

    def beside(self) -> frozenset[str]:
        """The words outside the shared passage."""
        if self.outside is None:
            return frozenset(self.words)
        return frozenset(w for w, out in zip(self.words, self.outside.tolist()) if out)


@dataclass(frozen=True)
class Verdict:
    kind: str  # duplicate | variant | distinct
    score: float
    detail: str


def _align(p: Prompt, other: Prompt) -> np.ndarray:
    """For each 3-gram of p, where the other prompt holds it (-1: nowhere), choosing among
    repeated grams the place that continues the run before it."""
    ranked, first, repeated = other.lookup
    where = np.full(len(p.ids), -1, dtype=np.int64)
    if not len(ranked):
        return where
    at = np.minimum(np.searchsorted(ranked, p.ids), len(ranked) - 1)
    hit = ranked[at] == p.ids
    where[hit] = first[at[hit]]
    twice = np.flatnonzero(hit & repeated[at])
    if len(twice):
        spots, ids, theirs = where.tolist(), p.ids.tolist(), other.ids.tolist()
        for k in twice.tolist():
            nxt = spots[k - 1] + 1
            if k and nxt and nxt < len(theirs) and theirs[nxt] == ids[k]:
                spots[k] = nxt
        where = np.array(spots, dtype=np.int64)
    return where


def _passage(p: Prompt, other: Prompt) -> tuple[np.ndarray, int]:
    """Per word: inside a passage both prompts hold (a run of 3-grams that follow each other in
    the same order in both, at least `CONTEXT_WORDS` words long); and the longest such run. Only
    an aligned run counts: a question quoting three words of the passage is not part of it."""
    where = _align(p, other)
    found = where >= 0
    start = found.copy()
    start[1:] &= ~(found[:-1] & (np.diff(where) == 1))  # a run goes on while the other's grams follow too
    run = np.cumsum(start) * found
    words = np.bincount(run)[1:] + GRAM - 1
    long = np.concatenate(([False], words >= CONTEXT_WORDS))
    context = cover(long[run] & found, len(p.words))
    return context, int(words.max()) if len(words) else 0


def _rest(p: Prompt, context: np.ndarray) -> frozenset[int]:
    inside = context[:len(p.ids)].copy()
    for k in range(1, min(GRAM, len(context) - len(p.ids) + 1)):
        inside &= context[k:k + len(p.ids)]
    return frozenset(p.ids[~inside].tolist())


def _side(p: Prompt, context: np.ndarray, run: int, rest: frozenset[int], other_rest: frozenset[int]) -> Side:
    """Beside the passage, a word is shared only with what the other prompt has beside its
    passage: a question that quotes the passage still differs from the other question."""
    beside = member(p.ids, np.sort(np.fromiter(other_rest, dtype=np.int64, count=len(other_rest))))
    only = ~(context | cover(beside, len(p.words)))
    return Side(int((only & ~p.template).sum()), int((only & p.template).sum()), run, rest, p.words, ~context)


def _new_words(p: Prompt, other: Prompt) -> int:
    """Words of p outside template wording that the other prompt does not hold at all, counted
    up to EDGE_WORDS + 1: a lower bound of `Side.substantive`, without aligning the prompts."""
    held, found = set(other.words), 0
    for w, templated in zip(p.words, p.template.tolist()):
        if not templated and w not in held:
            found += 1
            if found > EDGE_WORDS:
                break
    return found


def answers_match(a: Prompt, b: Prompt, threshold: float) -> bool:
    if a.answer_key == b.answer_key:
        return True
    return a.informative and b.informative and jaccard(a.answer_ids, b.answer_ids) >= threshold


def answers_agree(a: Prompt, b: Prompt) -> bool:
    """For paraphrased prompts: the answers say the same thing in mostly the same words, so a
    close embedding of two different answers (two news stories, two questions) is not enough."""
    return a.answer_key == b.answer_key or jaccard(set(a.answer.split()), set(b.answer.split())) >= ANSWER_WORDS_AGREE


def inverse(a: Prompt, b: Prompt) -> bool:
    """One row's answer is new material for its own prompt but sits in the other's prompt: the
    same material asked the other way round (summarise a dialogue / write the dialogue for a
    summary), two tasks. An answer that restates its own input is not that."""
    def inside(answer: frozenset[int], prompt: frozenset[int]) -> bool:
        return bool(answer) and len(answer & prompt) >= INVERSE_SHARE * len(answer)

    return any(inside(x.answer_ids, y.id_set) and not inside(x.answer_ids, x.id_set)
               for x, y in ((a, b), (b, a)))


def sides(anatomy: Anatomy, i: int, j: int) -> tuple[Side, Side]:
    a, b = anatomy.prompts[i], anatomy.prompts[j]
    if not (len(a.ids) and len(b.ids)):
        return (Side(len(a.words) + len(b.words), 0, 0, frozenset(), a.words),
                Side(len(a.words) + len(b.words), 0, 0, frozenset(), b.words))
    (ca, run_a), (cb, run_b) = _passage(a, b), _passage(b, a)
    ra, rb = _rest(a, ca), _rest(b, cb)
    return _side(a, ca, run_a, ra, rb), _side(b, cb, run_b, rb, ra)


def template_only(sa: Side | Brief, sb: Side | Brief) -> bool:
    """The prompts differ in template wording and in nothing else worth a word."""
    return bool(sa.templated or sb.templated) and max(sa.substantive, sb.substantive) <= EDGE_WORDS


def shared_passage(sa: Side | Brief, sb: Side | Brief) -> int:
    """Words of the longest passage both prompts hold, or 0 when they share none that long."""
    run = min(sa.context_run, sb.context_run)
    return run if run >= CONTEXT_WORDS else 0


def compare(anatomy: Anatomy, i: int, j: int, threshold: float, prompts_only: bool = False) -> Verdict | None:
    """The kind of sameness of rows i and j whose prompts differ. `prompts_only`: rows without
    an answer are compared on their prompts alone."""
    return compare_many(anatomy, [(i, j)], threshold, prompts_only)[0]


def compare_many(anatomy: Anatomy, pairs: list[tuple[int, int]], threshold: float,
                 prompts_only: bool = False) -> list[Verdict | None]:
    """`compare` of each pair; the pairs whose answers leave the prompts to decide are aligned
    together (`align.briefs`), a batch at a time."""
    looks = [_first_look(anatomy, i, j, threshold, prompts_only) for i, j in pairs]
    aligned = [k for k, look in enumerate(looks) if look is not None]
    out: list[Verdict | None] = [None] * len(pairs)
    for start in range(0, len(aligned), ALIGN_BATCH):
        batch = aligned[start:start + ALIGN_BATCH]
        measured = briefs(anatomy, np.array([pairs[k][0] for k in batch], dtype=np.int64),
                          np.array([pairs[k][1] for k in batch], dtype=np.int64))
        for k, (ba, bb) in zip(batch, measured):
            out[k] = _verdict(anatomy, *pairs[k], threshold, looks[k], ba, bb)
    return out


def _first_look(anatomy: Anatomy, i: int, j: int, threshold: float, prompts_only: bool) -> tuple[bool, bool] | None:
    """(bare, evidence) when the pair's prompts must be aligned to decide it; None when the
    answers alone tell the rows apart or prove nothing."""
    a, b = anatomy.prompts[i], anatomy.prompts[j]
    bare = prompts_only and bool(anatomy.answerless[i] and anatomy.answerless[j])
    if not (bare or answers_match(a, b, threshold)):
        return None
    evidence = bare or (a.informative and b.informative)
    if not evidence and (_new_words(a, b) > EDGE_WORDS or _new_words(b, a) > EDGE_WORDS):
        return None  # more than template wording differs, and the answers prove nothing
    return bare, evidence


def _verdict(anatomy: Anatomy, i: int, j: int, threshold: float, look: tuple[bool, bool], sa: Brief,
             sb: Brief) -> Verdict | None:
    bare, evidence = look
    a, b = anatomy.prompts[i], anatomy.prompts[j]
    score = jaccard(a.id_set, b.id_set)
    if template_only(sa, sb):
        return Verdict("variant", score, f"template wording differs ({sa.templated + sb.templated} words), "
                                         f"example and answer the same")
    if not evidence:
        return None
    passage = shared_passage(sa, sb)
    same = "no answers, prompts compared" if bare else "same answer"
    ra, rb = anatomy.records[i], anatomy.records[j]
    if bare or a.answer_key != b.answer_key:  # only the same answer outweighs a swapped entity, number or name
        swap = swapped(ra.prompt, rb.prompt, *((None, None) if bare else (ra.output, rb.output)))
        if swap:
            return Verdict("distinct", score, f"prompts differ in a {swap}")
    if score >= threshold and not passage:
        return Verdict("duplicate", score, f"prompt 3-gram Jaccard {score:.2f} >= {threshold}, {same}")
    edges_only = max(sa.substantive, sb.substantive) <= EDGE_WORDS
    full = sides(anatomy, i, j) if passage or (score >= threshold and not edges_only) else None  # the rare pairs
    if score >= threshold and (edges_only or jaccard(full[0].rest, full[1].rest) >= threshold):
        return Verdict("duplicate", score, f"prompt 3-gram Jaccard {score:.2f} >= {threshold} and the words beside "
                                           f"a shared passage of {passage} words alike too, {same}")
    wa, wb = (full[0].beside(), full[1].beside()) if passage else (set(a.words), set(b.words))
    agree, edited = jaccard(wa, wb), len(wa ^ wb)
    if not bare and (agree >= threshold or edited <= EDGE_WORDS):
        where = f" beside a shared passage of {passage} words" if passage else ""
        return Verdict("duplicate", score, f"prompt words{where} agree {agree:.2f} ({edited} differ; 3-gram Jaccard "
                                           f"{score:.2f}), same answer")
    if score < threshold:
        return Verdict("distinct", score, f"prompt 3-gram Jaccard {score:.2f} < {threshold}")
    return Verdict("distinct", score, f"one passage of {passage} words, different questions")

"""What each prompt is made of, measured across the whole dataset, so that dedup can tell a
repeated task from a shared passage or a shared template.

Real instruction sets put the context inside the prompt, ask one passage several questions,
and apply several templates to one example. Word 3-grams of the prompt (instruction + input)
are counted over the distinct prompts:

- a 3-gram in many distinct prompts (at least `boilerplate_df`) is template wording;
- a run of at least `CONTEXT_WORDS` words whose 3-grams recur in a few prompts is a shared
  context (a passage, a review, a dialogue): it says nothing about which question is asked;
- an answer of a few words, or one that many rows give (a label), is no evidence that two
  rows are the same task.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from seedling.record import Record
from seedling.text import SHORT_ANSWER_WORDS, strip_markers, words

GRAM = 3
CONTEXT_WORDS = 20  # a shared run this long is a passage, not a question
BOILERPLATE_MIN_DF = 20
BOILERPLATE_SHARE = 0.005  # of distinct prompts
LABEL_MIN_ROWS = 20
LABEL_SHARE = 0.005  # of rows
TOKEN_BITS = 21  # three token ids to an int64; past 2M distinct tokens ids wrap (rare collisions)
TOKEN_MASK = (1 << TOKEN_BITS) - 1


@dataclass
class Prompt:
    """One row's prompt as word 3-grams (ids; position k starts gram k), and its answer."""

    words: list[str]
    ids: np.ndarray  # 3-gram ids in order
    id_set: frozenset[int]
    key: str  # normalised prompt
    answer: str  # normalised answer
    answer_ids: frozenset[int]  # the answer's 3-grams, in the prompts' id space
    informative: bool = True  # the answer can count as evidence of sameness
    template: np.ndarray | None = None  # per word: inside template wording

    @cached_property
    def lookup(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sorted gram ids, the position where each first occurs, and whether it occurs again:
        what aligning another prompt against this one needs."""
        order = np.argsort(self.ids, kind="stable")
        ranked = self.ids[order]
        first = np.ones(len(ranked), dtype=bool)
        first[1:] = ranked[1:] != ranked[:-1]
        starts = np.flatnonzero(first)
        return ranked[first], order[first], np.diff(np.append(starts, len(ranked))) > 1


@dataclass
class Anatomy:
    prompts: list[Prompt]
    grams: np.ndarray  # every distinct 3-gram id, sorted
    df: np.ndarray  # distinct prompts holding each of `grams`
    boilerplate: np.ndarray  # the 3-gram ids that are template wording, sorted
    boilerplate_df: int

    def prompts_holding(self, ids: np.ndarray) -> np.ndarray:
        return self.df[np.searchsorted(self.grams, ids)]

    def content(self, i: int) -> frozenset[int]:
        """The row's 3-grams that are not template wording (all of them if every one is)."""
        p = self.prompts[i]
        own = frozenset(p.ids[~member(p.ids, self.boilerplate)].tolist())
        return own or p.id_set


def tokens(text: str) -> list[str]:
    """Words; a text in a script written without spaces (Chinese, Japanese) gives its characters."""
    ws = words(strip_markers(text))
    return list("".join(ws)) if len(ws) <= 2 and sum(len(w) for w in ws) > 12 else ws


def gram_ids(token_ids: list[int]) -> np.ndarray:
    """3-grams as one int64 each (three token ids of 21 bits); a text shorter than three
    tokens is one gram of what it has."""
    t = np.array(token_ids, dtype=np.int64) & TOKEN_MASK
    if len(t) < GRAM:
        t = np.concatenate((t, np.full(GRAM - len(t), TOKEN_MASK))) if len(t) else t
    return (t[:-2] << (2 * TOKEN_BITS)) | (t[1:-1] << TOKEN_BITS) | t[2:]


def member(ids: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Per id: whether the sorted array holds it (np.isin without its sort, for short arrays)."""
    if not len(ranked):
        return np.zeros(len(ids), dtype=bool)
    return ranked[np.minimum(np.searchsorted(ranked, ids), len(ranked) - 1)] == ids


def cover(gram_flags: np.ndarray, n_words: int) -> np.ndarray:
    """Per word: whether any 3-gram holding it is flagged."""
    out = np.zeros(n_words, dtype=bool)
    for k in range(min(GRAM, n_words)):
        out[k:k + len(gram_flags)] |= gram_flags[:n_words - k]
    return out


def analyse(records: list[Record]) -> Anatomy:
    vocab: dict[str, int] = {}
    prompts = []
    for r in records:
        ws = tokens(r.prompt)
        ids = gram_ids([vocab.setdefault(w, len(vocab)) for w in ws])
        answer = tokens(r.output)
        answer_ids = gram_ids([vocab.setdefault(w, len(vocab)) for w in answer])
        prompts.append(Prompt(ws, ids, frozenset(ids.tolist()), " ".join(ws), " ".join(answer),
                              frozenset(answer_ids.tolist())))
    distinct = {p.key: p for p in prompts}
    held = np.concatenate([p.lookup[0] for p in distinct.values()] or [np.zeros(0, dtype=np.int64)])
    grams, df = np.unique(held, return_counts=True)
    min_df = max(BOILERPLATE_MIN_DF, int(BOILERPLATE_SHARE * len(distinct)))
    boilerplate = grams[df >= min_df]
    answers = Counter(p.answer for p in prompts)
    label_rows = max(LABEL_MIN_ROWS, int(LABEL_SHARE * len(prompts)))
    labels = frozenset(a for a, c in answers.items() if c >= label_rows)
    for p in prompts:
        p.informative = len(p.answer.split()) > SHORT_ANSWER_WORDS and p.answer not in labels
        p.template = cover(member(p.ids, boilerplate), len(p.words))
    return Anatomy(prompts, grams, df, boilerplate, min_df)

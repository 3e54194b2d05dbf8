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
from seedling.text import normalize, shingles, strip_markers, words

GRAM = 3
CONTEXT_WORDS = 20  # a shared run this long is a passage, not a question
SHORT_ANSWER_WORDS = 3
BOILERPLATE_MIN_DF = 20
BOILERPLATE_SHARE = 0.005  # of distinct prompts
LABEL_MIN_ROWS = 20
LABEL_SHARE = 0.005  # of rows


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
    boilerplate: np.ndarray  # per gram id: template wording
    boilerplate_df: int
    df: np.ndarray  # per gram id: distinct prompts holding it
    labels: frozenset[str]  # answers given so often they are labels

    def content(self, i: int) -> frozenset[int]:
        """The row's 3-grams that are not template wording (all of them if every one is)."""
        p = self.prompts[i]
        own = frozenset(p.ids[~self.boilerplate[p.ids]].tolist()) if len(p.ids) else frozenset()
        return own or p.id_set


def _grams(ws: list[str]) -> list[str]:
    if len(ws) < GRAM:
        return [" ".join(ws)] if ws else []
    return [" ".join(ws[k:k + GRAM]) for k in range(len(ws) - GRAM + 1)]


def cover(gram_flags: np.ndarray, n_words: int) -> np.ndarray:
    """Per word: whether any 3-gram holding it is flagged."""
    out = np.zeros(n_words, dtype=bool)
    for k in range(min(GRAM, n_words)):
        out[k:k + len(gram_flags)] |= gram_flags[:n_words - k]
    return out


def analyse(records: list[Record]) -> Anatomy:
    vocab: dict[str, int] = {}

    def ids(grams) -> list[int]:
        return [vocab.setdefault(g, len(vocab)) for g in grams]

    prompts = []
    for r in records:
        ws = words(strip_markers(r.prompt))
        gram_ids = np.array(ids(_grams(ws)), dtype=np.int64)
        output = strip_markers(r.output)
        prompts.append(Prompt(ws, gram_ids, frozenset(gram_ids.tolist()), " ".join(ws), normalize(output),
                              frozenset(ids(shingles(output)))))
    distinct = {p.key: p.id_set for p in prompts}
    df = np.zeros(len(vocab) + 1, dtype=np.int64)
    for held in distinct.values():
        df[list(held)] += 1
    min_df = max(BOILERPLATE_MIN_DF, int(BOILERPLATE_SHARE * len(distinct)))
    boilerplate = df >= min_df
    answers = Counter(p.answer for p in prompts)
    label_rows = max(LABEL_MIN_ROWS, int(LABEL_SHARE * len(prompts)))
    labels = frozenset(a for a, c in answers.items() if c >= label_rows)
    for p in prompts:
        p.informative = len(p.answer.split()) > SHORT_ANSWER_WORDS and p.answer not in labels
        p.template = cover(boilerplate[p.ids], len(p.words))
    return Anatomy(prompts, boilerplate, min_df, df, labels)

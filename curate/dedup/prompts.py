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
    """One row's prompt as word 3-grams (position i starts gram i), and its answer."""

    words: list[str]
    grams: list[str]
    gram_set: frozenset[str]
    key: str  # normalised prompt
    answer: str  # normalised answer
    answer_grams: frozenset[str]
    informative: bool  # the answer can count as evidence of sameness
    template: np.ndarray | None = None  # per word: inside template wording (filled on first use)

    @cached_property
    def positions(self) -> tuple[dict[str, int], dict[str, set[int]]]:
        """Where each 3-gram first occurs, and every place of those that occur more than once,
        to align two prompts."""
        first: dict[str, int] = {}
        repeats: dict[str, set[int]] = {}
        for k, g in enumerate(self.grams):
            if g in first:
                repeats.setdefault(g, {first[g]}).add(k)
            else:
                first[g] = k
        return first, repeats


@dataclass
class Anatomy:
    prompts: list[Prompt]
    boilerplate: frozenset[str]
    boilerplate_df: int
    df: Counter  # distinct prompts holding each 3-gram
    labels: frozenset[str]  # answers given so often they are labels

    def content(self, i: int) -> frozenset[str]:
        """The row's 3-grams that are not template wording (all of them if every one is)."""
        p = self.prompts[i]
        own = p.gram_set - self.boilerplate
        return own or p.gram_set


def _grams(ws: list[str]) -> list[str]:
    if len(ws) < GRAM:
        return [" ".join(ws)] if ws else []
    return [" ".join(ws[k:k + GRAM]) for k in range(len(ws) - GRAM + 1)]


def analyse(records: list[Record]) -> Anatomy:
    prompts = []
    for r in records:
        ws = words(strip_markers(r.prompt))
        grams = _grams(ws)
        output = strip_markers(r.output)
        prompts.append(Prompt(ws, grams, frozenset(grams), " ".join(ws), normalize(output),
                              frozenset(shingles(output)), True))
    distinct = {p.key: p.gram_set for p in prompts}
    df = Counter(g for grams in distinct.values() for g in grams)
    min_df = max(BOILERPLATE_MIN_DF, int(BOILERPLATE_SHARE * len(distinct)))
    boilerplate = frozenset(g for g, c in df.items() if c >= min_df)
    answers = Counter(p.answer for p in prompts)
    label_rows = max(LABEL_MIN_ROWS, int(LABEL_SHARE * len(prompts)))
    labels = frozenset(a for a, c in answers.items() if c >= label_rows)
    for p in prompts:
        p.informative = len(p.answer.split()) > SHORT_ANSWER_WORDS and p.answer not in labels
    return Anatomy(prompts, boilerplate, min_df, df, labels)

"""Words that rows mentioning one group over-use relative to rows mentioning the axis' other
groups: the log-odds ratio with an informative Dirichlet prior and its z-score (Monroe, Colaresi
and Quinn 2008, "Fightin' Words"). Counts are rows containing the word, not tokens, so one long
answer that repeats a word is one vote. The prior is the word's share of all rows scaled to
PRIOR_WEIGHT, which shrinks rare words toward no difference. A word is reported only past a
Bonferroni z over the words tested, so the list does not fill with the chance 5 %. Words of
equal z come in alphabetical order, so the list is the same in every process."""

from __future__ import annotations

import math
from collections import Counter
from statistics import NormalDist

import numpy as np

from curate.bias.scans import Scans
from curate.bias.representation import too_few

PRIOR_WEIGHT = 500.0  # the prior counts as this many word-in-row observations in all
MIN_SIDE_ROWS = 10  # fewer rows on either side and no word can pass the corrected z anyway
TOP = 8
EXAMPLES = 2
_STOP = frozenset(
    "a an the and or but of to in on at for with by from as is are was were be been being it its this that these "
    "those i you we they he she him her his hers them their our your my me us not no do does did have has had "
    "will would can could should may might must s t about into than then so if what which who how".split())


def log_odds(a: Counter, n_a: int, b: Counter, n_b: int, prior: Counter, n_prior: int) -> dict[str, tuple[float, float]]:
    """word -> (delta, z) for side a over side b; `prior` holds background counts summing to n_prior."""
    scale = PRIOR_WEIGHT / n_prior
    out = {}
    for w in set(a) | set(b):
        alpha = prior[w] * scale
        if alpha <= 0:
            continue
        ya, yb = a[w], b[w]
        delta = (math.log((ya + alpha) / (n_a + PRIOR_WEIGHT - ya - alpha))
                 - math.log((yb + alpha) / (n_b + PRIOR_WEIGHT - yb - alpha)))
        out[w] = (delta, delta / math.sqrt(1 / (ya + alpha) + 1 / (yb + alpha)))
    return out


class Scorer:
    """Fightin' Words for one dataset: each group's rows against the rows naming the axis' other
    groups, summed from the word counts per set of groups named (curate/bias/scans.py)."""

    def __init__(self, scans: Scans, skip_words: dict[str, set[str]]):
        self.scans, self.skip = scans, skip_words
        self.background = scans.background
        self.n_background = sum(self.background.values()) or 1

    def sides(self, axis: str, names: list[str], group: str) -> tuple[np.ndarray, np.ndarray]:
        return self.scans.rows(axis, group), self.scans.others(axis, names, group)

    def scores(self, axis: str, names: list[str], group: str):
        skip, others = self.skip[axis], set(names) - {group}
        a: Counter[str] = Counter()
        b: Counter[str] = Counter()
        for named, counts in self.scans.words_by_axis.get(axis, {}).items():
            if group in named:
                a.update(counts)
            elif named & others:
                b.update(counts)
        a = Counter({w: c for w, c in a.items() if w not in _STOP and w not in skip})
        b = Counter({w: c for w, c in b.items() if w not in _STOP and w not in skip})
        return a, b, log_odds(a, sum(a.values()), b, sum(b.values()), self.background, self.n_background)


def associations(scans: Scans, groups: dict[str, list[str]], skip_words: dict[str, set[str]], min_rows: int) -> dict:
    """Per axis with at least `min_rows` mentioning rows, each group against the rest of its axis.
    `skip_words` per axis are its own group terms, which associate with their group by construction."""
    scorer = Scorer(scans, skip_words)
    out = {}
    for axis, names in groups.items():
        mentioning = scans.naming(axis, names)
        if len(mentioning) < min_rows:
            out[axis] = {"verdict": too_few(len(mentioning), min_rows), "groups": {}}
            continue
        found = {}
        for g in names:
            rows, others = scorer.sides(axis, names, g)
            if len(rows) < MIN_SIDE_ROWS or len(others) < MIN_SIDE_ROWS:
                continue
            a, b, scores = scorer.scores(axis, names, g)
            z_crit = NormalDist().inv_cdf(1 - 0.05 / (2 * max(1, len(scores))))
            top = sorted(((w, d, z) for w, (d, z) in scores.items() if z > z_crit), key=lambda t: (-t[2], t[0]))[:TOP]
            quoted = scans.first_rows_with(rows, [w for w, _, _ in top], EXAMPLES)
            found[g] = {"rows": len(rows), "other_rows": len(others), "z_threshold": round(z_crit, 2),
                        "words": [{"word": w, "log_odds": round(d, 3), "z": round(z, 2),
                                   "rows_in_group": a[w], "rows_in_others": b[w],
                                   "examples": [scans.text(i)[:160] for i in quoted[w]]} for w, d, z in top]}
        out[axis] = {"verdict": "compared" if found else f"no group has {MIN_SIDE_ROWS} rows on each side",
                     "groups": found}
    return out

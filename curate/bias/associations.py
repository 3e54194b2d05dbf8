"""Words that the sentences naming one group over-use relative to the sentences naming the axis'
other groups: the log-odds ratio with an informative Dirichlet prior and its z-score (Monroe,
Colaresi and Quinn 2008, "Fightin' Words"). Only content words of the sentences that name a
group count (curate/bias/context_words.py), never the axis' own terms or a group's name, so
"China" never associates with China. Counts are independent examples holding the word (rows of
one passage or template group share one vote; curate/bias/scans.py), not tokens. The prior is
the word's share near all mentions scaled to PRIOR_WEIGHT, which shrinks rare words toward no
difference. A word is reported only past a Bonferroni z over the words tested, so the list does
not fill with the chance 5 %. Words of equal z come in alphabetical order, so the list is the
same in every process."""

from __future__ import annotations

import math
from collections import Counter
from statistics import NormalDist

import numpy as np

from curate.bias.scans import Scans
from curate.bias.representation import too_few

PRIOR_WEIGHT = 500.0  # the prior counts as this many observations in all (at most as many as it has)
TOP = 8
EXAMPLES = 2


def log_odds(a: Counter, n_a: float, b: Counter, n_b: float, prior: Counter,
             n_prior: float) -> dict[str, tuple[float, float]]:
    """word -> (delta, z) for side a over side b; `prior` holds background counts summing to n_prior."""
    weight = min(PRIOR_WEIGHT, n_prior)
    scale = weight / n_prior
    out = {}
    for w in set(a) | set(b):
        alpha = prior[w] * scale
        if alpha <= 0:
            continue
        ya, yb = a[w], b[w]
        delta = (math.log((ya + alpha) / (n_a + weight - ya - alpha))
                 - math.log((yb + alpha) / (n_b + weight - yb - alpha)))
        out[w] = (delta, delta / math.sqrt(1 / (ya + alpha) + 1 / (yb + alpha)))
    return out


class Scorer:
    """Fightin' Words for one dataset: the words near each group against the words near the axis'
    other groups in the units that do not name it."""

    def __init__(self, scans: Scans, skip_words: dict[str, set[str]]):
        self.scans, self.skip = scans, skip_words
        self.background = scans.background
        self.n_background = sum(self.background.values()) or 1

    def sides(self, axis: str, names: list[str], group: str) -> tuple[np.ndarray, np.ndarray]:
        return self.scans.rows(axis, group), self.scans.others(axis, names, group)

    def scores(self, axis: str, names: list[str], group: str):
        skip, others = self.skip.get(axis, set()), set(names) - {group}
        a = Counter({w: c for w, c in self.scans.near_group.get((axis, group), Counter()).items() if w not in skip})
        b: Counter[str] = Counter()
        for named, counts in self.scans.near_named.get(axis, {}).items():
            if group not in named and named & others:
                b.update(counts)
        b = Counter({w: c for w, c in b.items() if w not in skip})
        return a, b, log_odds(a, sum(a.values()), b, sum(b.values()), self.background, self.n_background)


def associations(scans: Scans, groups: dict[str, list[str]], skip_words: dict[str, set[str]], min_rows: int) -> dict:
    """Per axis, each group with at least `min_rows` independent examples against the rest of its
    axis (which needs as many); a thinner group is listed as too few to tell."""
    scorer = Scorer(scans, skip_words)
    out = {}
    for axis, names in groups.items():
        mentioning = scans.naming(axis, names)
        if len(mentioning) < min_rows:
            out[axis] = {"verdict": too_few(len(mentioning), min_rows), "groups": {}, "too_few": {}}
            continue
        found, thin = {}, {}
        for g in names:
            rows, others = scorer.sides(axis, names, g)
            if not len(rows):
                continue
            if len(rows) < min_rows or len(others) < min_rows:
                thin[g] = too_few(min(len(rows), len(others)), min_rows)
                continue
            a, b, scores = scorer.scores(axis, names, g)
            z_crit = NormalDist().inv_cdf(1 - 0.05 / (2 * max(1, len(scores))))
            top = sorted(((w, d, z) for w, (d, z) in scores.items() if z > z_crit), key=lambda t: (-t[2], t[0]))[:TOP]
            quoted = scans.near_examples(axis, g, [w for w, _, _ in top], EXAMPLES)
            found[g] = {"rows": len(rows), "other_rows": len(others), "z_threshold": round(z_crit, 2),
                        "words": [{"word": w, "log_odds": round(d, 3), "z": round(z, 2),
                                   "rows_in_group": round(a[w], 1), "rows_in_others": round(b[w], 1),
                                   "examples": quoted[w]} for w, d, z in top]}
        verdict = "compared" if found else (f"no group and its others have {min_rows} independent examples each"
                                            if thin else "no group is named")
        out[axis] = {"verdict": verdict, "groups": found, "too_few": thin}
    return out

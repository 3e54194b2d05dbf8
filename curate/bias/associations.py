"""Words that rows mentioning one group over-use relative to rows mentioning the axis' other
groups: the log-odds ratio with an informative Dirichlet prior and its z-score (Monroe, Colaresi
and Quinn 2008, "Fightin' Words"). Counts are rows containing the word, not tokens, so one long
answer that repeats a word is one vote. The prior is the word's share of all rows scaled to
PRIOR_WEIGHT, which shrinks rare words toward no difference. A word is reported only past a
Bonferroni z over the words tested, so the list does not fill with the chance 5 %."""

from __future__ import annotations

import math
from collections import Counter
from statistics import NormalDist

from curate.bias.mentions import RowScan
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


def _examples(scans: list[RowScan], texts: list[str], rows: list[int], word: str) -> list[str]:
    return [texts[i][:160] for i in rows if word in scans[i].words][:EXAMPLES]


def associations(scans: list[RowScan], texts: list[str], groups: dict[str, list[str]], skip_words: dict[str, set[str]],
                 min_rows: int) -> dict:
    """Per axis with at least `min_rows` mentioning rows, each group against the rest of its axis.
    `texts` are the rows' instructions (for examples); `skip_words` per axis are its own group
    terms, which associate with their group by construction."""
    background = Counter(w for s in scans for w in s.words)
    n_background = sum(background.values()) or 1
    index: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(scans):
        for m in s.mentions:
            index.setdefault(m, []).append(i)
    out = {}
    for axis, names in groups.items():
        members = {g: index.get((axis, g), []) for g in names}
        mentioning = {i for rows in members.values() for i in rows}
        if len(mentioning) < min_rows:
            out[axis] = {"verdict": too_few(len(mentioning), min_rows), "groups": {}}
            continue
        found = {}
        for g, rows in members.items():
            inside = set(rows)
            others = [i for i in mentioning if i not in inside]
            if len(rows) < MIN_SIDE_ROWS or len(others) < MIN_SIDE_ROWS:
                continue
            a = Counter(w for i in rows for w in scans[i].words if w not in _STOP and w not in skip_words[axis])
            b = Counter(w for i in others for w in scans[i].words if w not in _STOP and w not in skip_words[axis])
            scores = log_odds(a, sum(a.values()), b, sum(b.values()), background, n_background)
            z_crit = NormalDist().inv_cdf(1 - 0.05 / (2 * max(1, len(scores))))
            top = sorted(((w, d, z) for w, (d, z) in scores.items() if z > z_crit), key=lambda t: -t[2])[:TOP]
            found[g] = {"rows": len(rows), "other_rows": len(others), "z_threshold": round(z_crit, 2),
                        "words": [{"word": w, "log_odds": round(d, 3), "z": round(z, 2),
                                   "rows_in_group": a[w], "rows_in_others": b[w],
                                   "examples": _examples(scans, texts, rows, w)} for w, d, z in top]}
        out[axis] = {"verdict": "compared" if found else f"no group has {MIN_SIDE_ROWS} rows on each side",
                     "groups": found}
    return out

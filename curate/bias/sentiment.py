"""Sentiment of the sentences that name a group (as BOLD does for generated text), by group, with
intervals: VADER's compound score (Hutto and Gilbert 2014; the vaderSentiment package, MIT,
ships its lexicon, so nothing is downloaded). A row is one unit: its mentioning sentences are
averaged first. Each group is compared with the rows naming the axis' other groups; a finding
needs the difference to pass the Bonferroni z over the groups compared."""

from __future__ import annotations

import functools
import math
import random

from curate.bias.scans import Scans
from seedling.stats import Z95, mean_ci, z_for

MAX_ROWS = 2000  # per group, a seeded sample: the interval is already narrow there
SOURCE = "VADER compound score (vaderSentiment, MIT) of the sentences naming the group, averaged per row"


@functools.lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@functools.lru_cache(maxsize=100_000)
def _compound(sentence: str) -> float:
    return _analyzer().polarity_scores(sentence)["compound"]


def _row_scores(sentences, axis: str, group: str | None, rows: list[int]) -> list[float]:
    """Per row, the mean compound of its sentences naming `group` (None: any group of `axis`)."""
    out = []
    for i in rows:
        vals = [_compound(text) for text, found in sentences(i)
                if any(a == axis and (group is None or g == group) for a, g in found)]
        if vals:
            out.append(sum(vals) / len(vals))
    return out


def _sample(rows: list[int], seed: str) -> list[int]:
    return rows if len(rows) <= MAX_ROWS else sorted(random.Random(seed).sample(rows, MAX_ROWS))


def sentiment(scans: Scans, groups: dict[str, list[str]], min_rows: int) -> dict:
    """Only the sampled rows are scanned again for their sentences (kept while this runs)."""
    seen: dict[int, list] = {}

    def sentences(i: int) -> list:
        if i not in seen:
            seen[i] = scans.rescan(i).sentences
        return seen[i]

    out = {}
    for axis, names in groups.items():
        figures = {}
        for g in names:
            rows = scans.rows(axis, g).tolist()
            if len(rows) < 2:
                continue
            others = scans.others(axis, names, g).tolist()
            mine = _row_scores(sentences, axis, g, _sample(rows, f"{axis}/{g}"))
            rest = _row_scores(sentences, axis, None, _sample(others, f"{axis}/not {g}"))
            if len(mine) < 2:
                continue
            m = mean_ci(mine)
            entry = {"rows": m["n"], "mean": round(m["mean"], 4), "ci95": [round(v, 4) for v in m["ci95"]],
                     "others_mean": None, "difference": None, "finding": None}
            if len(rest) >= 2:
                r = mean_ci(rest)
                diff = m["mean"] - r["mean"]
                se = math.sqrt(m["se"] ** 2 + r["se"] ** 2)
                entry.update(others_mean=round(r["mean"], 4), others_rows=r["n"], se=se,
                             difference={"diff": round(diff, 4),
                                         "ci95": [round(diff - Z95 * se, 4), round(diff + Z95 * se, 4)]})
            figures[g] = entry
        tested = [e for e in figures.values() if e["difference"] and e["rows"] >= min_rows and e["others_rows"] >= min_rows]
        z = z_for(len(tested))  # Bonferroni over the groups of the axis that are compared
        for e in tested:
            d = e["difference"]["diff"]
            if abs(d) > z * e["se"]:
                e["finding"] = "more positive" if d > 0 else "more negative"
        for e in figures.values():
            e.pop("se", None)
        out[axis] = figures
    return {"method": SOURCE, "groups_per_axis_max_rows": MAX_ROWS, "axes": out}

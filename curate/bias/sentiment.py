"""Sentiment of the sentences that name a group (as BOLD does for generated text), by group, with
intervals: VADER's compound score (Hutto and Gilbert 2014; the vaderSentiment package, MIT,
ships its lexicon, so nothing is downloaded). An independent example is one unit: the distinct
sentences its rows hold that name the group are averaged first. The mean carries a Student's t
interval (never of width zero: curate/bias/intervals.py), and only with at least `min_rows`
examples. Each group is compared with the examples naming the axis' other groups (Welch's t);
a finding needs the difference's interval at the family-wise 5 % level over the groups compared
(Bonferroni) to exclude 0."""

from __future__ import annotations

import functools
import random

import numpy as np

from curate import parallel
from curate.bias.intervals import diff_of_means, scale_mean_ci
from curate.bias.representation import too_few
from curate.bias.scans import Scans

SENTENCES_A_CORE = 2000  # fewer sentences than this a core are scored here: a fork costs more
MAX_ROWS = 2000  # examples per group, a seeded sample: the interval is already narrow there
SOURCE = ("VADER compound score (vaderSentiment, MIT) of the sentences naming the group, averaged per "
          "independent example")


@functools.lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@functools.lru_cache(maxsize=100_000)
def _compound(sentence: str) -> float:
    return _analyzer().polarity_scores(sentence)["compound"]


def _sample(units: list[int], seed: str) -> list[int]:
    return units if len(units) <= MAX_ROWS else sorted(random.Random(seed).sample(units, MAX_ROWS))


class _Reader:
    """Each unit's score: the mean compound of the distinct sentences its rows hold that name the
    group (None: any group of the axis), so a passage asked ten questions is read once."""

    def __init__(self, scans: Scans):
        self.scans, self.seen = scans, {}
        self.by_unit = np.argsort(scans.unit, kind="stable")  # rows by unit, each unit's in row order
        self.bounds = np.searchsorted(scans.unit[self.by_unit], np.arange(len(scans) + 1))

    def sentences(self, i: int) -> list:
        if i not in self.seen:
            self.seen[i] = self.scans.sentences(i)
        return self.seen[i]

    def texts(self, axis: str, group: str | None, naming_axis: np.ndarray, units: list[int]) -> list[set[str]]:
        """Per unit of `units`, in order, the distinct sentences naming the group. Only the rows of
        those units that name a group of the axis (`naming_axis`, one flag a row) are visited."""
        starts, stops = self.bounds[units], self.bounds[np.asarray(units, dtype=np.int64) + 1]
        rows = self.by_unit[np.concatenate([np.arange(a, b) for a, b in zip(starts.tolist(), stops.tolist())]
                                           or [np.zeros(0, dtype=np.int64)])]
        rows = rows[naming_axis[rows]]
        texts: dict[int, set[str]] = {}
        for i, u in zip(rows.tolist(), self.scans.unit[rows].tolist()):
            texts.setdefault(u, set()).update(t for t, found in self.sentences(i) if any(
                a == axis and (group is None or g == group) for a, g in found))
        return [ts for u, ts in sorted(texts.items()) if ts]


def _compounds(per_unit: list[list[set[str]]]) -> dict[str, float]:
    """Every sentence's compound score, read once, the sentences spread over the cores."""
    sentences = list(dict.fromkeys(t for units in per_unit for ts in units for t in ts))
    return dict(zip(sentences, parallel.map_rows(_compound, sentences, SENTENCES_A_CORE)))


def _means(per_unit: list[set[str]], compound: dict[str, float]) -> list[float]:
    return [sum(map(compound.__getitem__, ts)) / len(ts) for ts in per_unit]


def _naming(scans: Scans, axis: str, names: list[str]) -> np.ndarray:
    """One flag a row: does it name a group of the axis."""
    flags = np.zeros(len(scans.unit), dtype=bool)
    for g in names:
        flags[scans.row_index.get((axis, g), [])] = True
    return flags


def _compared(scans: Scans, groups: dict[str, list[str]], min_rows: int) -> dict:
    """(axis, group) -> the sampled units' sentences naming the group, and those naming another
    group of the axis, for the groups with at least `min_rows` units."""
    reader = _Reader(scans)
    compared: dict[tuple[str, str], tuple[list[set[str]], list[set[str]]]] = {}
    for axis, names in groups.items():
        naming_axis = None
        for g in names:
            units = scans.rows(axis, g)
            if len(units) >= min_rows:
                naming_axis = _naming(scans, axis, names) if naming_axis is None else naming_axis
                others = scans.others(axis, names, g)
                compared[axis, g] = (reader.texts(axis, g, naming_axis, _sample(units.tolist(), f"{axis}/{g}")),
                                     reader.texts(axis, None, naming_axis, _sample(others.tolist(), f"{axis}/not {g}")))
    return compared


def sentiment(scans: Scans, groups: dict[str, list[str]], min_rows: int) -> dict:
    """Only the sampled rows are scanned again for their sentences (kept while this runs). A group
    with fewer than `min_rows` independent examples gets no figure, only "too few to tell"."""
    compared = _compared(scans, groups, min_rows)
    compound = _compounds([part for pair in compared.values() for part in pair])
    out = {}
    for axis, names in groups.items():
        figures = {}
        for g in names:
            units = scans.rows(axis, g)
            if not len(units):
                continue
            if len(units) < min_rows:
                figures[g] = {"rows": len(units), "mean": None, "ci95": None, "others_mean": None,
                              "difference": None, "finding": None, "verdict": too_few(len(units), min_rows)}
                continue
            mine, rest = (_means(part, compound) for part in compared[axis, g])
            if not mine:
                continue
            m = scale_mean_ci(mine, -1.0, 1.0)
            entry = {"rows": m.n, "mean": round(m.mean, 4), "ci95": m.ci95, "others_mean": None,
                     "difference": None, "finding": None, "verdict": "measured"}
            if len(rest) >= min_rows:
                d = diff_of_means(mine, rest, -1.0, 1.0)
                entry.update(others_mean=round(float(np.mean(rest)), 4), others_rows=len(rest),
                             difference={"diff": d["diff"], "ci95": d["ci"]}, samples=(mine, rest))
            figures[g] = entry
        tested = [e for e in figures.values() if "samples" in e]
        for e in tested:  # Bonferroni over the groups of the axis compared
            lo, hi = diff_of_means(*e.pop("samples"), -1.0, 1.0, 1 - 0.05 / len(tested))["ci"]
            if lo > 0 or hi < 0:
                e["finding"] = "more positive" if lo > 0 else "more negative"
        out[axis] = figures
    return {"method": SOURCE, "groups_per_axis_max_rows": MAX_ROWS, "min_examples": min_rows, "axes": out}

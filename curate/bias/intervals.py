"""The bias audit's intervals, from scipy: Clopper-Pearson for shares (the exact binomial interval
from the beta distribution: as cheap as two quantiles, and never narrower than it should be),
Student's t for mean sentiment, Welch's t for a difference of means. An interval is never of
width zero: when every value of a sample is the same, the mean's interval comes from the
Clopper-Pearson bound on the share of examples that could still lie elsewhere on the scale."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.stats import beta, t as student_t, ttest_ind

from seedling.artifacts import Interval


def share_ci(k: int, n: int, level: float = 0.95, digits: int | None = 4) -> list[float]:
    """Clopper-Pearson interval of k / n (n = 0: nothing is known, [0, 1]), rounded to `digits`
    (None: not rounded, for figures computed from it: 0.99996 rounds to 1)."""
    if n <= 0:
        return [0.0, 1.0]
    tail = (1 - level) / 2
    lo = float(beta.ppf(tail, k, n - k + 1)) if k > 0 else 0.0
    hi = float(beta.ppf(1 - tail, k + 1, n - k)) if k < n else 1.0
    return [lo, hi] if digits is None else [round(lo, digits), round(hi, digits)]


def scale_mean_ci(values, low: float, high: float, level: float = 0.95) -> Interval:
    """Mean of values on the scale [low, high] with a t interval, clipped to the scale; all values
    equal: the mean can move at most p_up of the way to either end, p_up the Clopper-Pearson
    upper bound on the share of examples off that value (0 seen of n)."""
    v = np.asarray(values, dtype=float)
    n, mean = len(v), float(v.mean())
    sd = float(v.std(ddof=1)) if n > 1 else 0.0
    if sd > 0:
        half = float(student_t.ppf(1 - (1 - level) / 2, n - 1)) * sd / math.sqrt(n)
        lo, hi = max(low, mean - half), min(high, mean + half)
    else:
        p_up = float(beta.ppf(1 - (1 - level) / 2, 1, n))
        lo, hi = mean - p_up * (mean - low), mean + p_up * (high - mean)
    return Interval(n=n, mean=mean, sd=sd, ci95=[round(lo, 4), round(hi, 4)])


def diff_of_means(a, b, low: float, high: float, level: float = 0.95) -> dict:
    """Difference a - b of means on the scale [low, high], with Welch's t interval at `level`; when
    both samples are constant (no spread to test against), the interval spanned by their means'
    intervals (scale_mean_ci), which is never of width zero."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = float(a.mean() - b.mean())
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        ia, ib = scale_mean_ci(a, low, high, level).ci95, scale_mean_ci(b, low, high, level).ci95
        return {"diff": round(diff, 4), "ci": [round(ia[0] - ib[1], 4), round(ia[1] - ib[0], 4)]}
    with warnings.catch_warnings():  # one constant sample: scipy warns of its zero variance, which is exact
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = ttest_ind(a, b, equal_var=False).confidence_interval(level)
    return {"diff": round(diff, 4), "ci": [round(float(ci.low), 4), round(float(ci.high), 4)]}

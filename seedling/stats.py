"""Figures that describe a dataset at a glance (sizes, fill, lengths, sources, repeats), and the
interval rules every comparison uses: Student's t for means and paired differences (on 18 pairs
z = 1.96 would claim intervals 8 % too narrow), Wilson for rates, Newcombe for the difference of
two rates. One copy here, with scipy's t distribution, so every stage gets the same rule."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any, Iterable, Sequence

from seedling.artifacts import Interval, PairedDiff
from seedling.record import TEXT_FIELDS, Record


def _quantile(sorted_values: list[int], q: float) -> int:
    """Nearest-rank quantile: always a value that occurs, which reads better for lengths."""
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))]


def _t():
    """scipy's t distribution, imported on first use: scipy.stats takes a second to import."""
    from scipy.stats import t

    return t


def mean_ci(values: Sequence[float], level: float = 0.95) -> Interval:
    """Mean with its Student's t interval (n - 1 degrees of freedom). Fewer than two values give
    no interval (ci95 None): one number says nothing about its own spread."""
    n = len(values)
    mean = statistics.fmean(values)
    if n < 2:
        return Interval(n=n, mean=mean)
    sd = statistics.stdev(values)
    se = sd / math.sqrt(n)
    half = float(_t().ppf(0.5 + level / 2, n - 1)) * se
    return Interval(n=n, mean=mean, sd=sd, se=se, ci95=[mean - half, mean + half])


def detectable(sd: float, n: int, power: float = 0.8, level: float = 0.05) -> float | None:
    """The smallest true mean difference a paired t-test on n examples with this spread finds
    with probability `power` (two-sided at `level`): (t_(1-level/2) + t_power) * sd / sqrt(n)."""
    if n < 2:
        return None
    t = _t()
    return float((t.ppf(1 - level / 2, n - 1) + t.ppf(power, n - 1)) * sd / math.sqrt(n))


def paired_diff(a: Sequence[float], b: Sequence[float]) -> PairedDiff | None:
    """a minus b, example by example (the same examples, in the same order): the mean with its
    t interval, how many examples went each way, whether the interval excludes 0 (`differs`),
    and the smallest difference this n and spread could detect. None when there are no pairs."""
    if len(a) != len(b):
        raise ValueError(f"paired values differ in length: {len(a)} and {len(b)}")
    if not a:
        return None
    diffs = [x - y for x, y in zip(a, b)]
    s = mean_ci(diffs)
    ci = s.ci95
    return PairedDiff(**s.model_dump(), better=sum(d < 0 for d in diffs), worse=sum(d > 0 for d in diffs),
                      differs=bool(ci) and (ci[0] > 0 or ci[1] < 0), detectable=detectable(s.sd, s.n))


Z95 = statistics.NormalDist().inv_cdf(0.975)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials: unlike rate ± z SE it stays inside
    [0, 1] and is not zero-width at 0 or n, so 0 of 3 rows reads as "could be up to 56 %".
    scipy's binomtest(k, n).proportion_ci(method="wilson") gives the same bounds (a test checks)
    but takes about 1 ms a call against 1 µs here, and the bias audit asks for one per group,
    occupation and pair; Newcombe's difference below is built from these (scipy has none)."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_ci(k: int, n: int) -> dict[str, Any]:
    """A rate with its counts and Wilson 95% interval, rounded for a report."""
    lo, hi = wilson(k, n)
    return {"k": k, "n": n, "rate": round(k / n, 4) if n else None, "ci95": [round(lo, 4), round(hi, 4)]}


def z_for(tests: int, level: float = 0.05) -> float:
    """The two-sided z that keeps the chance of any false finding among `tests` at `level`
    (Bonferroni): 1.96 for one test, 2.58 for five, 2.81 for ten."""
    return statistics.NormalDist().inv_cdf(1 - level / (2 * max(1, tests)))


def rate_vs_target(k: int, n: int, target: float, z: float = Z95) -> str | None:
    """'under' or 'over' when the Wilson interval of k/n excludes `target`, else None."""
    lo, hi = wilson(k, n, z)
    return "under" if hi < target else "over" if lo > target else None


def diff_ci(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> dict[str, Any]:
    """Difference of two rates k1/n1 - k2/n2 with Newcombe's hybrid score interval (method 10,
    built from the two Wilson intervals; 95% unless `z` says otherwise), and whether it excludes 0."""
    if not n1 or not n2:
        return {"diff": None, "ci95": None, "differs": False}
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return {"diff": round(d, 4), "ci95": [round(lo, 4), round(hi, 4)], "differs": lo > 0 or hi < 0}


def length_summary(values: Iterable[int]) -> dict[str, float]:
    v = sorted(values)
    return {
        "min": v[0] if v else 0,
        "p50": _quantile(v, 0.5),
        "p90": _quantile(v, 0.9),
        "p99": _quantile(v, 0.99),
        "max": v[-1] if v else 0,
        "mean": round(sum(v) / len(v), 1) if v else 0.0,
    }


def dataset_stats(records: list[Record]) -> dict[str, Any]:
    ids = Counter(r.id for r in records)
    fields = {}
    for name in TEXT_FIELDS:
        texts = [getattr(r, name) for r in records]
        fields[name] = {
            "non_empty": sum(1 for t in texts if t.strip()),
            "chars": length_summary(len(t) for t in texts),
            "words": length_summary(len(t.split()) for t in texts),
        }
    return {
        "records": len(records),
        "unique_ids": len(ids),
        "repeated_records": sum(c - 1 for c in ids.values() if c > 1),
        "with_input": fields["input"]["non_empty"],
        "fields": fields,
        "sources": dict(Counter(r.source for r in records).most_common()),
        "meta_keys": dict(Counter(k for r in records for k in r.meta).most_common()),
        "extra_columns": dict(Counter(k for r in records for k in r.extra).most_common()),
    }

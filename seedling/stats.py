"""Figures that describe a dataset at a glance (sizes, fill, lengths, sources, repeats), and the
one interval rule every comparison uses."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any, Iterable

from seedling.record import TEXT_FIELDS, Record


def _quantile(sorted_values: list[int], q: float) -> int:
    """Nearest-rank quantile: always a value that occurs, which reads better for lengths."""
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))]


def mean_ci(values: list[float]) -> dict[str, float | int | list[float]]:
    """Mean with a 95% interval of mean ± 1.96 SE (normal approximation; one value: SE 0)."""
    n = len(values)
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if n > 1 else 0.0
    se = sd / math.sqrt(n) if n > 1 else 0.0
    return {"n": n, "mean": mean, "sd": sd, "se": se, "ci95": [mean - 1.96 * se, mean + 1.96 * se]}


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

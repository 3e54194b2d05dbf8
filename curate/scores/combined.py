"""Combined score: the product of the score parts selection uses, each in [0, 1] (a row a
scorer could not score takes the pool's median for that part):

    score = quality * learned [* judge]

quality is the heuristic score (always on: a refusal, an echo, an empty or looping answer
loses most of its score); learned is the shipped quality model's predicted probability that a
strong judge prefers the answer to a strong reference (curate/scores/learned.py); judge, the
LLM judge's rating (rating - 1) / 4, counts whenever a judge rated. IFD (`1 - min(ifd, 1)`) and
the end-of-turn part (`exp(-max(0, end_nll - 8) / 4)`) are shown beside each row but multiply
in only when `select_by` names them: on real answers rated by a strong judge they rank pairs
at or below chance (IFD 51 %, answer NLL 38 %), so by default they never veto a row. A rating
the pool came with (UltraFeedback's `overall_score`, Nectar's `rank`) is a part when named as
`meta.KEY` (`-meta.KEY` where lower is better): its percentile among the rows that hold it, so
a 1-10 scale and a probability count alike."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from curate.scores.ifd import END_NATS

END_NATS_PER_E = 4.0  # past END_NATS, each 4 nats of end-of-turn NLL cost the row a factor e
DEFAULT_PARTS = ("quality", "learned", "judge")
OWN = re.compile(r"^(-?)meta\.([\w-]+)$")
PART_RULES = {"quality": "quality", "learned": "learned", "ifd": "(1 - min(ifd, 1))",
              "end_nll": "exp(-max(0, end_nll - 8) / 4)", "judge": "(judge - 1) / 4"}


def _number(value: Any) -> float:
    """A rating as a number: CSV and spreadsheet cells hold it as text."""
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def own_part(name: str, metas: list[dict[str, Any]]) -> np.ndarray | None:
    """`meta.KEY` as its percentile among the rows holding a number there (ties share one),
    higher better unless the name starts with '-'; a row without it takes the median. None
    when no row holds one."""
    from scipy.stats import rankdata

    lower_better, key = OWN.match(name).groups()
    values = np.array([_number(m.get(key)) for m in metas], dtype=np.float64)
    held = ~np.isnan(values)
    if not held.any():
        return None
    part = np.empty(len(values))
    part[held] = (rankdata(-values[held] if lower_better else values[held]) - 0.5) / held.sum()
    part[~held] = np.median(part[held])
    return part


def combined_score(qualities, columns: list[dict[str, Any]], select_by: list[str] | None = None,
                   metas: list[dict[str, Any]] | None = None) -> tuple[np.ndarray, dict[str, np.ndarray], list[str]]:
    """The combined score, every part some row has, and the parts the score multiplies:
    `select_by` when given (each must have run, a meta.KEY part be held by some row of
    `metas`), else those of DEFAULT_PARTS that ran."""
    from seedling.errors import ConfigError

    parts = {"quality": np.asarray(qualities, dtype=np.float64)}
    raw = {"learned": float,
           "ifd": lambda v: 1.0 - min(float(v), 1.0),
           "end_nll": lambda v: math.exp(-max(0.0, float(v) - END_NATS) / END_NATS_PER_E),
           "judge": lambda v: (float(v) - 1.0) / 4.0}
    for name, to_part in raw.items():
        values = np.array([to_part(c[name]) if c.get(name) is not None else np.nan for c in columns], dtype=np.float64)
        if len(values) and not np.isnan(values).all():
            values[np.isnan(values)] = np.nanmedian(values)
            parts[name] = values
    for name in [p for p in select_by or [] if OWN.match(p)]:
        own = own_part(name, metas if metas is not None else [{} for _ in columns])
        if own is None and len(qualities):
            raise ConfigError(f"select_by names {name}, which no row's meta holds as a number")
        if own is not None:
            parts[name] = own
    if select_by is not None:
        missing = [p for p in select_by if p not in parts]
        if missing and len(qualities):
            scorer = "the ifd scorer" if set(missing) & {"ifd", "end_nll"} else ", ".join(missing)
            raise ConfigError(f"select_by names {', '.join(missing)}, which no scorer computed: add {scorer} to scores")
        used = [p for p in select_by if p in parts]
    else:
        used = [p for p in DEFAULT_PARTS if p in parts]
    score = np.prod(np.stack([parts[p] for p in used]), axis=0) if len(qualities) else np.zeros(0)
    return score, parts, used

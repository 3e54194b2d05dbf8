"""Score figures for audit.json: each score column's distribution, and the lowest-scored rows
(by the combined score selection ranks with) with what brought them down."""

from __future__ import annotations

from typing import Any

import numpy as np

COLUMNS = ("quality", "learned", "ifd", "answer_nll", "end_nll", "judge")
LOWEST = 12


def distribution(values: list[float], bins: int = 30) -> dict[str, Any]:
    x = np.asarray(values, dtype=np.float64)
    counts, edges = np.histogram(x, bins=bins)
    q = np.quantile(x, [0.0, 0.1, 0.5, 0.9, 1.0])
    return {"n": int(len(x)), "mean": round(float(x.mean()), 4),
            "quantiles": dict(zip(("min", "p10", "p50", "p90", "max"), (round(float(v), 4) for v in q))),
            "edges": [round(float(e), 4) for e in edges], "counts": counts.tolist()}


def score_figures(records, qualities, flags, scores, select_by: list[str] | None = None) -> dict[str, Any]:
    from curate.scores.combined import combined_score

    if not records:
        return {"scorers": scores.summary, "distributions": {}, "lowest": []}
    columns = [{"quality": q, **c} for q, c in zip(qualities, scores.columns)]
    present = {name: [c[name] for c in columns if c.get(name) is not None] for name in COLUMNS}
    combined, _, used = combined_score(qualities, scores.columns, select_by, [r.meta for r in records])
    lowest = []
    for i in np.argsort(combined, kind="stable")[:LOWEST]:
        row = {"score": round(float(combined[i]), 4), "instruction": records[i].instruction[:200],
               "output": records[i].output[:200], "flags": flags[i],
               **{k: columns[i][k] for k in COLUMNS if columns[i].get(k) is not None}}
        if columns[i].get("judge_reason"):
            row["judge_reason"] = columns[i]["judge_reason"]
        lowest.append(row)
    return {"scorers": scores.summary, "combined_parts": used,
            "distributions": {name: distribution(v) for name, v in present.items() if v},
            "combined": distribution(combined.tolist()), "lowest": lowest}

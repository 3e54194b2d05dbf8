"""The last step: the dedup and score figures, then the audit assembled from every step's result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from curate.dedup.audit import dedup_figures
from curate.scores.figures import score_figures
from curate.steps import Pool
from seedling import quality
from seedling.curate_audit import CurateAudit, InputFile


@dataclass
class AuditFigures:
    dedup: dict[str, Any]
    scores: dict[str, Any]


class Figures:
    name = "figures"

    def run(self, pool: Pool) -> AuditFigures:
        records, scoring, pruning = pool.records, pool.quality, pool.dedup
        return AuditFigures(
            dedup_figures(records, pruning.result, pruning.context.passages, pruning.gone, pool.options),
            score_figures(records, scoring.qualities, pool.columns.flags, scoring.model_scores, pool.options.select_by))


def not_run(scorers_ran) -> dict[str, str]:
    """The quality checks that did not run, and why (`scorers_ran`: the model scorers that did)."""
    missing = {"language_id": "no offline language-ID model is shipped"}
    if "judge" not in scorers_ran:
        missing["llm_judge"] = "off: no judge model named; --judge-model turns it on"
    return missing


def _quality(pool: Pool) -> dict[str, Any]:
    records, qualities, flags = pool.records, pool.quality.qualities, pool.columns.flags
    return {
        "checks": {name: weight for name, (_, weight) in quality.CHECKS.items()},
        "not_run": not_run(pool.quality.model_scores.summary),
        "flags": dict(Counter(f for fl in flags for f in fl).most_common()),
        "flagged_rows": sum(1 for f in flags if f),
        "mean": round(float(np.mean(qualities)), 4) if records else None,
        "min_quality": pool.options.min_quality,
        "removed": len(pool.dedup.dropped),
        "examples": [{"instruction": records[i].instruction[:200], "output": records[i].output[:200],
                      "flags": flags[i], "quality": qualities[i]} for i in range(len(records)) if flags[i]][:12],
    }


def _embedder(pool: Pool) -> dict[str, Any]:
    embedding, instr = pool.load_embedder, pool.dedup.instructions
    encoder = embedding.encoder
    return {"model": getattr(embedding.embedder, "model_id", type(embedding.embedder).__name__),
            "dim": int(instr.shape[1]) if pool.records else None,
            "cache": {"dir": str(encoder.dir) if encoder.dir else None, "hits": encoder.hits,
                      "misses": encoder.misses}}


def assemble(pool: Pool, kept: int, source: InputFile | None) -> CurateAudit:
    """The audit, from the steps' results (`source`: the file the CLI read, if any), checked
    against its model here: a figure renamed or left out fails at once, not in a report."""
    audit = {
        "rows": len(pool.records),
        "kept": kept,
        "removed": len(pool.columns.removed),
        "embedder": _embedder(pool),
        "dedup": pool.figures.dedup,
        "scores": pool.figures.scores,
        "quality": _quality(pool),
        "clusters": pool.clusters.audit(),
        "diversity": pool.diversity.diversity,
        "shape": pool.diversity.shape,
        "coverage": pool.coverage,
        "bias": pool.bias.bias,
        "counterfactual": pool.counterfactual.figures if pool.counterfactual else None,
        "steering": pool.bias.steering.model_dump(),
        "timings_s": {k: round(v, 3) for k, v in pool.timings.items()},
    }
    if pool.select is not None:
        audit["selection"] = pool.select.audit
    if source is not None:
        audit["input"] = source
    return CurateAudit.model_validate(audit)

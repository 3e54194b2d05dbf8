"""`curate()`: the list of steps (curate.steps) from quality checks to the audit, and the result
the writers and the run read."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from curate.dedup import DedupResult
from curate.links import row_groups
from curate.options import CurateOptions
from curate.select import check_budget
from curate.steps import Pool, Step, run_steps
from curate.steps.audit import Figures, assemble
from curate.steps.figures import Bias, Clusters, Coverage, Diversity
from curate.steps.prepare import Dedup, LoadEmbedder, Quality
from curate.steps.rows import Annotate, Counterfactual, Select
from curate.vectors import UnitRows
from seedling.curate_audit import CurateAudit, InputFile
from seedling.record import Record
from seedling.steering import SteeringFile


@dataclass
class CurateResult:
    rows: list[Record]
    kept: list[Record]
    removed: list[Record]
    dedup: DedupResult
    audit: CurateAudit
    steering: SteeringFile
    projection: dict[str, Any] = field(default_factory=dict)
    instruction_vectors: UnitRows | None = None  # one unit row per input row, in input order
    selected: list[Record] | None = None  # with --select: the chosen rows, best score first
    selection: list[dict[str, Any]] = field(default_factory=list)  # with --select: why each row was chosen or left
    groups: list[dict[str, Any]] = field(default_factory=list)  # sameness kept, by input row (curate.links)


def steps(options: CurateOptions, reference: list[Record] | None) -> list[Step]:
    """What curate does, in order; a step the options do not ask for is left out."""
    return [Quality(), LoadEmbedder(), Dedup(), Clusters(), Diversity(),
            *([Coverage()] if reference is not None else []), Bias(), Annotate(),
            *([Counterfactual()] if options.counterfactual else []), Figures(),
            *([Select()] if options.select is not None else [])]


def _bias_groups(pool: Pool, rows: np.ndarray) -> list[list[list[str]]]:
    """The bias audit's groups each of `rows` names, as [axis, group] pairs in sorted order (the
    scan finds them in an order string hashing sets, which changes from process to process)."""
    place = {int(r): k for k, r in enumerate(rows)}
    out: list[list[list[str]]] = [[] for _ in rows]
    for (axis, group), naming in sorted(pool.bias.mentions.items()):
        for r in naming.tolist():
            if r in place:
                out[place[r]].append([axis, group])
    return out


def _projection(pool: Pool) -> dict[str, Any]:
    """The cluster map's points."""
    rows, coords, labels = pool.clusters.projection_rows, pool.clusters.coords, pool.clusters.labels
    return {"x": coords[:, 0].round(4).tolist() if len(coords) else [],
            "y": coords[:, 1].round(4).tolist() if len(coords) else [],
            "cluster": labels[rows].tolist(),
            "text": [pool.records[i].instruction[:80] for i in rows], "id": [pool.records[i].id for i in rows],
            "removed": [int(i) in pool.dedup.gone for i in rows],  # exact copies share an id: which one this is
            "bias": _bias_groups(pool, rows)}


def curate(records: list[Record], options: CurateOptions | None = None, embedder=None,
           reference: list[Record] | None = None, model_scores=None, source: InputFile | None = None,
           started: float | None = None) -> CurateResult:
    """Score, dedup and audit `records`; nothing is dropped without a row in `removed`.
    `model_scores`: model-based score columns already computed (curate.scores.score_pool);
    `source`: the file the rows came from; `started`: when the caller's work began (perf_counter),
    for the audit's total time."""
    options = options or CurateOptions()
    check_budget(options.select, len(records))
    started = time.perf_counter() if started is None else started
    pool = run_steps(Pool(records, options, reference, embedder, model_scores), steps(options, reference))
    kept = pool.columns.kept + (pool.counterfactual.rows if pool.counterfactual else [])
    pool.timings["scores"] = sum(s.get("seconds", 0.0) for s in pool.quality.model_scores.summary.values())
    pool.timings["total"] = time.perf_counter() - started
    audit = assemble(pool, len(kept), source)
    selected, selection = (pool.select.selected, pool.select.lines) if pool.select else (None, [])
    groups = row_groups(records, pool.dedup.result, pool.bias.context_groups)
    return CurateResult(pool.columns.rows, kept, pool.columns.removed, pool.dedup.result, audit, pool.bias.steering,
                        _projection(pool), pool.dedup.instructions, selected, selection, groups)

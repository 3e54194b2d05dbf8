"""Curate as a list of steps (curate.pipeline lists them). Each step reads what earlier steps
left on the Pool, returns its own typed result, which the runner stores on the Pool under the
step's name with the step's time; the audit is assembled from those results at the end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from curate.options import CurateOptions
    from curate.steps.audit import AuditFigures
    from curate.steps.figures import BiasFigures, ClusterFigures, DiversityFigures
    from curate.steps.prepare import Embedding, Pruning, Scoring
    from curate.steps.rows import Columns, Copies, Selection
    from seedling.record import Record


@dataclass
class Pool:
    """The rows, the options, and each finished step's result under the step's name."""

    records: list[Record]
    options: CurateOptions
    reference: list[Record] | None = None
    embedder: Any = None  # given by the caller, else the load_embedder step loads the options' one
    given_scores: Any = None  # model-based score columns the caller computed already (curate.scores)
    timings: dict[str, float] = field(default_factory=dict)
    quality: Scoring | None = None
    load_embedder: Embedding | None = None
    dedup: Pruning | None = None
    clusters: ClusterFigures | None = None
    diversity: DiversityFigures | None = None
    coverage: dict[str, Any] | None = None
    bias: BiasFigures | None = None
    columns: Columns | None = None
    counterfactual: Copies | None = None
    figures: AuditFigures | None = None
    select: Selection | None = None


class Step(Protocol):
    name: str  # the Pool attribute its result goes to, and its key in the audit's timings

    def run(self, pool: Pool) -> Any: ...


def run_steps(pool: Pool, steps: list[Step]) -> Pool:
    for step in steps:
        started = time.perf_counter()
        setattr(pool, step.name, step.run(pool))
        pool.timings[step.name] = time.perf_counter() - started
    return pool

"""Each stage's few headline figures, kept in the manifest and printed when it finishes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from seedling.artifacts import TuneEval


class Summary(BaseModel):
    """A stage's few headline figures, kept in the manifest and printed when it finishes."""

    model_config = ConfigDict(extra="forbid")  # a figure a stage adds is declared here, not dropped

    def facts(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class SplitSummary(Summary):
    seeds: int
    held_out: int
    seed_rows_withheld: int
    held_out_from: str


class GenerateSummary(Summary):
    accepted: int
    target: int
    tokens_per_s: float | None = None
    wall_s: float | None = None


class CurateSummary(Summary):
    rows: int
    kept: int
    removed: int


class TuneSummary(Summary):
    train_rows: int
    steps: int
    nll_base: float | None
    nll_student: float | None

    @classmethod
    def of(cls, ev: TuneEval) -> TuneSummary:
        """From the evaluation tune returns."""
        return cls(train_rows=ev.data.train_rows, steps=ev.train.steps,
                   nll_base=ev.nll.base and ev.nll.base.nll_per_token,
                   nll_student=ev.nll.student and ev.nll.student.nll_per_token)

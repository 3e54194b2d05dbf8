"""Files that cross a stage boundary, as typed models with a schema version: the stage that
writes one builds the model, the run's report reads the model, so a renamed or missing key
fails where it is written, not as a blank cell in a report. (steering.json: seedling.steering;
rounds.json: seedling.run.rounds.)"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel

STATS_VERSION = 1


class RoundTarget(BaseModel):
    round: int
    target: int  # accepted rows in all after this round
    steering: Optional[str] = None


class GenerateStats(BaseModel):
    """generate/stats.json: what a generate run produced and what it threw away, by reason."""

    version: int = STATS_VERSION
    accepted: int
    target: int
    batches: int  # teacher batches in all
    method: str
    tokens_in: int
    tokens_out: int
    tokens_per_s: float
    wall_s: float
    teacher_s: float
    rejected: dict[str, int] = {}
    notes: dict[str, int] = {}  # prompts the engine truncated or clipped
    output: Optional[str] = None
    rounds: list[RoundTarget] = []  # coverage-guided rounds, when the run's loop drove generate

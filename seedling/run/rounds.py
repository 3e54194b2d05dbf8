"""rounds.json: one line per coverage-guided round, written by the run's loop and read by the
report. Round k's line measures its new rows alone (rounds are equal in size, so they
compare) and all rows so far, and names the steering file it was generated with."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from pydantic import BaseModel

from seedling.curate_audit import DiversityFigures
from seedling.formats.atomic import write_json

ROUNDS = "rounds.json"
VERSION = 1


class AllRows(BaseModel):
    """Every row so far: how wide the collection has become."""

    vendi: Optional[float] = None
    vendi_per_row: Optional[float] = None
    cluster_entropy: Optional[float] = None
    clusters: Optional[int] = None
    coverage_share: Optional[float] = None
    rows_with_group_mention: Optional[int] = None


class Region(BaseModel):
    """A part of the seed tasks no row covers yet, as the next round is steered toward it."""

    hint: str
    seed_examples: list[str] = []
    rows_landed: int = 0  # rows so far whose nearest seed task is in it


class HintEffect(BaseModel):
    hint: str
    rows: int = 0
    vendi_per_row_with: Optional[float] = None
    vendi_per_row_without: Optional[float] = None
    narrowed: bool = False
    rows_landed: Optional[int] = None  # for a region's hint: rows so far whose nearest seed task is in it


class Round(BaseModel):
    round: int
    rows_new: int
    rows_total: int
    new_rows: DiversityFigures = DiversityFigures()  # the round's own rows: widths that do not grow with rows
    all_rows: AllRows = AllRows()
    hints_next: list[str] = []  # the audit's requests, offered to the next round
    regions_next: list[Region] = []  # the missing regions of the seed tasks those requests steer toward
    hints_used: list[HintEffect] = []  # the hints this round's prompts quoted, and what their rows did
    hints_dropped: list[str] = []  # hints that narrowed this round: not offered to the next
    steered: bool = False
    steering_used: Optional[str] = None
    chosen_among: Optional[float] = None  # steer_overask; an older run capped it to a fraction
    aimed_rows: Optional[int] = None  # of its rows, those picked to reach a seed task no row covered


class RoundsFile(BaseModel):
    version: int = VERSION
    rounds: list[Round] = []
    bounds: list[int] = []  # round k's rows are [bounds[k-1], bounds[k]) in acceptance order

    def add(self, entry: Round, steering_used: str | None) -> None:
        self.rounds.append(entry.model_copy(update={"steered": steering_used is not None,
                                                    "steering_used": steering_used}))

    def save(self, run_dir: Path) -> None:
        write_json(run_dir / ROUNDS, self.model_dump())

"""The `run:` config section: what the whole run needs beyond each stage's own section."""

from __future__ import annotations

from typing import Optional

from pydantic import Field

from seedling.config import Section, section


@section("run")
class RunOptions(Section):
    name: Optional[str] = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # runs/<name>; default: the config's file name
    seeds: Optional[str] = None  # default: the 175 Self-Instruct seed tasks shipped in data/
    pool: Optional[str] = None  # a dataset you already have: no generate step; curate, select and tune on it
    eval_file: Optional[str] = None  # held-out set; default: eval_fraction of the seed tasks (or of the pool)
    eval_fraction: float = Field(0.1, gt=0, lt=1)
    seed: int = 0
    rounds: int = Field(1, ge=1, le=10)  # coverage-guided generation: round k+1 steered by the audit of 1..k
    compare_raw: bool = True  # also tune on the uncurated data (same rows, steps, seed) to show what curation did

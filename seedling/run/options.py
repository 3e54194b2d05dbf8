"""The `run:` config section: what the whole run needs beyond each stage's own section."""

from __future__ import annotations

from typing import Optional

from pydantic import Field

from seedling.config import Section, section


@section("run")
class RunOptions(Section):
    name: Optional[str] = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    """The run's folder, runs/<name> (default: the config's file name)."""
    seeds: Optional[str] = None
    """Seed tasks (default: the 175 Self-Instruct seed tasks shipped in data/)."""
    pool: Optional[str] = None
    """A dataset you already have: no generate step; curate, select and tune on it."""
    eval_file: Optional[str] = None
    """Held-out set (default: eval_fraction of the seed tasks, or of the pool)."""
    eval_fraction: float = Field(0.1, gt=0, lt=1)
    """Share of the seed tasks (or the pool) held out when there is no eval_file."""
    seed: int = 0
    """Seed of the held-out split."""
    rounds: int = Field(1, ge=1, le=10)
    """Coverage-guided generation: round k+1 is steered by the audit of rounds 1..k."""
    compare_raw: bool = True
    """Also tune on the uncurated rows (same rows, steps, seed) to show what curation did."""

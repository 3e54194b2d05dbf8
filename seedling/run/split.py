"""The run's first step: seed tasks for the teacher, and a held-out set nobody trains on.

The held-out set is human-written (a share of the seed tasks, or the user's eval file) and is
withheld from the teacher's prompts too, so the students are judged on tasks no stage saw.
A task's instances stay together: the split hashes the instruction, not the row.

A run on a pool the user already has (`run.pool`) splits the pool the same way: seeds.jsonl
then holds the rows the run curates and trains on, held_out.jsonl the rest (or the eval
file's tasks, whose instructions are taken out of the pool).
"""

from __future__ import annotations

from pathlib import Path

from seedling.errors import ConfigError
from seedling.formats import load, save
from seedling.hashing import bucket

SEEDS = "split/seeds.jsonl"
HELD_OUT = "split/held_out.jsonl"
BASE_EVAL = "split/base-eval"  # the base model's NLLs and replies on the held-out set, shared by the students


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


def split_seeds(seeds: Path, eval_file: Path | None, fraction: float, seed: int,
                run_dir: Path) -> dict:
    """`seeds` is the seed tasks, or the run's pool."""
    rows = load(seeds).records
    if eval_file is not None:
        held = load(eval_file).records
        asked = {_key(r.instruction) for r in held}
        teach = [r for r in rows if _key(r.instruction) not in asked]
        origin = f"the eval file {eval_file}"
    else:
        teach = [r for r in rows if bucket(_key(r.instruction), seed) >= fraction]
        held = [r for r in rows if bucket(_key(r.instruction), seed) < fraction]
        origin = f"{fraction:.0%} of the rows of {seeds.name} by a hash of the instruction (seed {seed})"
    if not teach or not held:
        raise ConfigError(f"{seeds}: {len(rows)} rows leave {len(teach)} to learn from and {len(held)} "
                          "held out; both need at least one (change run.eval_fraction or run.eval_file)")
    save(teach, run_dir / SEEDS)
    save(held, run_dir / HELD_OUT)
    return {"seeds": len(teach), "held_out": len(held), "seed_rows_withheld": len(rows) - len(teach),
            "held_out_from": origin}


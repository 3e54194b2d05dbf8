"""The steps of a run, in order. Each names what decides its output (hashed into the
manifest's fingerprint), the paths it owns in the run directory, the files that prove it
finished, and the work itself, done by a stage plugin on files in the run directory."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable

from rich.console import Console

from seedling.config import Section
from seedling.errors import SeedlingError
from seedling.formats.atomic import write_json
from seedling.hashing import file_sha256
from seedling.resources import data_path
from seedling.run.split import HELD_OUT, SEEDS, split_seeds

GENERATED = "generate/generated.jsonl"
KEPT = "curate/kept.jsonl"
ROUNDS = "rounds.json"
CURATED_EVAL = "tune/eval.json"
RAW_EVAL = "compare-raw/tune/eval.json"


STAGES = ("generate", "curate", "tune")


@functools.cache
def stage(name: str):
    """A stage's plugin module, from the `seedling.stages` entry points."""
    found = {ep.name: ep for ep in entry_points(group="seedling.stages")}
    if name not in found:
        raise SeedlingError(f"the {name} stage is not installed (no `seedling.stages` entry point "
                            f"{name!r}); reinstall seedling with scripts/setup.sh")
    return found[name].load()


@dataclass
class Context:
    run_dir: Path
    opts: dict[str, Section]
    console: Console

    def path(self, rel: str) -> Path:
        return self.run_dir / rel

    def sha(self, rel: str) -> str:
        return file_sha256(self.path(rel))

    @property
    def seeds(self) -> Path:
        return Path(self.opts["run"].seeds) if self.opts["run"].seeds else data_path("seed_tasks.jsonl")

    @property
    def eval_file(self) -> Path | None:
        return Path(self.opts["run"].eval_file) if self.opts["run"].eval_file else None


@dataclass(frozen=True)
class Step:
    name: str
    owns: tuple[str, ...]
    outputs: tuple[str, ...]
    inputs: Callable[[Context], dict[str, Any]]
    work: Callable[[Context], dict[str, Any]]
    wanted: Callable[[Context], bool] = lambda ctx: True


def _split(ctx: Context) -> dict:
    run = ctx.opts["run"]
    return split_seeds(ctx.seeds, ctx.eval_file, run.eval_fraction, run.seed, ctx.run_dir)


def _generate(ctx: Context) -> dict:
    generate, curate = stage("generate"), stage("curate")
    n = ctx.opts["run"].rounds
    opts = ctx.opts["generate"].model_copy(update={"seeds": str(ctx.path(SEEDS))})
    bounds = [0, *generate.round_targets(opts.num, n)]  # rows [bounds[k-1], bounds[k]) are round k's
    rounds: list[dict] = []

    def audit(k: int, generated: Path) -> Path:
        out = ctx.path(f"rounds/round-{k}")
        why = "to steer the next" if k < n else "for the per-round figures"
        which = f"rounds 1-{k}" if k > 1 else "round 1"
        ctx.console.print(f"auditing {which} ({bounds[k]} rows) {why}")
        entry = curate.audit_round(generated, bounds, k, ctx.opts["curate"], ctx.path(SEEDS), out)
        rounds.append({**entry, "steered": k > 1, "steering_used": f"rounds/round-{k - 1}/steering.json"
                       if k > 1 else None})
        write_json(ctx.path(ROUNDS), {"rounds": rounds, "bounds": bounds})
        return out / "steering.json"

    result = generate.run(opts, ctx.run_dir, rounds=n, after_round=audit, console=ctx.console)
    audit(n, result.output)
    return {k: result.stats[k] for k in ("accepted", "target", "tokens_per_s", "wall_s") if k in result.stats}


def _curate(ctx: Context) -> dict:
    opts = ctx.opts["curate"]
    reference = Path(opts.reference) if opts.reference else ctx.path(SEEDS)
    return stage("curate").run(ctx.path(GENERATED), ctx.path("curate"), opts, reference)


def _tune(ctx: Context) -> dict:
    summary = stage("tune").run(ctx.path(KEPT), ctx.path("tune"), ctx.opts["tune"], eval_file=ctx.path(HELD_OUT))
    return _brief(summary)


def _curated_size(ctx: Context) -> dict:
    """The raw-data student matches the curated one in rows and steps (and seed, via options)."""
    summary = json.loads(ctx.path(CURATED_EVAL).read_text(encoding="utf-8"))
    return {"train_rows": summary["data"]["train_rows"], "max_steps": summary["train"]["steps"]}


def _compare_raw(ctx: Context) -> dict:
    summary = stage("tune").run(ctx.path(GENERATED), ctx.path("compare-raw/tune"), ctx.opts["tune"],
                                    eval_file=ctx.path(HELD_OUT), **_curated_size(ctx))
    return _brief(summary)


def _brief(summary: dict) -> dict:
    nll = summary.get("nll", {})
    return {"train_rows": summary["data"]["train_rows"], "steps": summary["train"]["steps"],
            "nll_base": nll.get("base", {}).get("nll_per_token"), "nll_student": nll.get("student", {}).get("nll_per_token")}


def _dump(ctx: Context, name: str) -> dict:
    return ctx.opts[name].model_dump()


STEPS: tuple[Step, ...] = (
    Step("split", ("split",), (SEEDS, HELD_OUT),
         lambda ctx: {"seeds": file_sha256(ctx.seeds), "eval_file": file_sha256(ctx.eval_file) if ctx.eval_file else None,
                      "fraction": ctx.opts["run"].eval_fraction, "seed": ctx.opts["run"].seed},
         _split),
    Step("generate", ("generate", "rounds", ROUNDS), (GENERATED, ROUNDS),
         lambda ctx: {"generate": _dump(ctx, "generate"), "seeds": ctx.sha(SEEDS), "rounds": ctx.opts["run"].rounds,
                      "curate": _dump(ctx, "curate") if ctx.opts["run"].rounds > 1 else None},
         _generate),
    Step("curate", ("curate",), (KEPT, "curate/audit.json"),
         lambda ctx: {"curate": _dump(ctx, "curate"), "data": ctx.sha(GENERATED), "reference": ctx.sha(SEEDS)},
         _curate),
    Step("tune", ("tune",), (CURATED_EVAL,),
         lambda ctx: {"tune": _dump(ctx, "tune"), "data": ctx.sha(KEPT), "held_out": ctx.sha(HELD_OUT)},
         _tune),
    Step("compare-raw", ("compare-raw",), (RAW_EVAL,),
         lambda ctx: {"tune": _dump(ctx, "tune"), "data": ctx.sha(GENERATED), "held_out": ctx.sha(HELD_OUT),
                      **_curated_size(ctx)},
         _compare_raw, wanted=lambda ctx: ctx.opts["run"].compare_raw),
)

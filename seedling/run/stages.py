"""The run: a plain list of stages with one contract, and the steered rounds as one loop.

Each stage has a name, the config section it reads, the paths it owns in the run directory,
the files that prove it finished, the inputs that make its fingerprint (hashed into the
manifest), and `run(ctx) -> Summary`. The work is done by a stage plugin (the `seedling.stages`
entry points) on files in the run directory, so the core never imports a stage package.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Optional, Protocol

from pydantic import BaseModel, ConfigDict
from rich.console import Console

from seedling.config import Section
from seedling.errors import SeedlingError
from seedling.hashing import file_sha256
from seedling.resources import data_path
from seedling.run.rounds import ROUNDS, RoundsFile
from seedling.run.split import HELD_OUT, SEEDS, split_seeds

GENERATED = "generate/generated.jsonl"
KEPT = "curate/kept.jsonl"
CURATED_EVAL = "tune/eval.json"
RAW_EVAL = "compare-raw/tune/eval.json"
SELECTED = "curate/selected.jsonl"
SELECTED_EVAL = "compare-selected/tune/eval.json"
RANDOM_EVAL = "compare-random/tune/eval.json"

PLUGINS = ("generate", "curate", "tune")


@functools.cache
def plugin(name: str):
    """A stage's plugin module, from the `seedling.stages` entry points."""
    found = {ep.name: ep for ep in entry_points(group="seedling.stages")}
    if name not in found:
        raise SeedlingError(f"the {name} stage is not installed (no `seedling.stages` entry point "
                            f"{name!r}); reinstall seedling with scripts/setup.sh")
    return found[name].load()


@dataclass
class RunContext:
    """What every stage of a run sees: the run directory, the validated config sections, the console."""

    run_dir: Path
    opts: dict[str, Section]
    console: Console

    def path(self, rel: str) -> Path:
        return self.run_dir / rel

    def sha(self, rel: str) -> str:
        return file_sha256(self.path(rel))

    def dump(self, section: str) -> dict[str, Any]:
        return self.opts[section].model_dump()

    @property
    def seeds(self) -> Path:
        return Path(self.opts["run"].seeds) if self.opts["run"].seeds else data_path("seed_tasks.jsonl")

    @property
    def eval_file(self) -> Path | None:
        return Path(self.opts["run"].eval_file) if self.opts["run"].eval_file else None


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
    tokens_per_s: Optional[float] = None
    wall_s: Optional[float] = None


class CurateSummary(Summary):
    rows: int
    kept: int
    removed: int


class TuneSummary(Summary):
    train_rows: int
    steps: int
    nll_base: Optional[float]
    nll_student: Optional[float]

    @classmethod
    def of(cls, evaluation: dict[str, Any]) -> TuneSummary:
        nll = evaluation.get("nll", {})
        return cls(train_rows=evaluation["data"]["train_rows"], steps=evaluation["train"]["steps"],
                   nll_base=nll.get("base", {}).get("nll_per_token"),
                   nll_student=nll.get("student", {}).get("nll_per_token"))


class Stage(Protocol):
    name: ClassVar[str]
    section: ClassVar[str]  # the config section (its options class: seedling.config.sections())
    owns: ClassVar[tuple[str, ...]]  # set aside when its fingerprint changes
    outputs: ClassVar[tuple[str, ...]]  # all present: the stage finished

    def wanted(self, ctx: RunContext) -> bool: ...

    def inputs(self, ctx: RunContext) -> dict[str, Any]: ...

    def run(self, ctx: RunContext) -> Summary: ...


class _Always:
    def wanted(self, ctx: RunContext) -> bool:
        return True


class Split(_Always):
    name, section = "split", "run"
    owns, outputs = ("split",), (SEEDS, HELD_OUT)

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        return {"seeds": file_sha256(ctx.seeds), "eval_file": file_sha256(ctx.eval_file) if ctx.eval_file else None,
                "fraction": ctx.opts["run"].eval_fraction, "seed": ctx.opts["run"].seed}

    def run(self, ctx: RunContext) -> SplitSummary:
        run = ctx.opts["run"]
        return SplitSummary(**split_seeds(ctx.seeds, ctx.eval_file, run.eval_fraction, run.seed, ctx.run_dir))


class Generate(_Always):
    """Generation in `run.rounds` rounds; after each, curate audits the rows so far, and its
    steering.json steers the next round (coverage-guided generation)."""

    name, section = "generate", "generate"
    owns, outputs = ("generate", "rounds", ROUNDS), (GENERATED, ROUNDS)

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        n = ctx.opts["run"].rounds
        return {"generate": ctx.dump("generate"), "seeds": ctx.sha(SEEDS), "rounds": n,
                "curate": ctx.dump("curate") if n > 1 else None}

    def run(self, ctx: RunContext) -> GenerateSummary:
        generate, curate = plugin("generate"), plugin("curate")
        n = ctx.opts["run"].rounds
        opts = ctx.opts["generate"].model_copy(update={"seeds": str(ctx.path(SEEDS))})
        record = RoundsFile(bounds=[0, *generate.round_targets(opts.num, n)])  # round k: rows [bounds[k-1], bounds[k])
        steering = opts.steering
        with generate.Rounds(opts, ctx.run_dir, n, ctx.console) as rounds:
            for k in range(1, n + 1):
                result = rounds.grow(k, steering)
                out = ctx.path(f"rounds/round-{k}")
                why = "to steer the next" if k < n else "for the per-round figures"
                ctx.console.print(f"auditing {f'rounds 1-{k}' if k > 1 else 'round 1'} ({record.bounds[k]} rows) {why}")
                entry = curate.audit_round(result.output, record.bounds, k, ctx.opts["curate"], ctx.path(SEEDS), out)
                record.add(entry, steering_used=f"rounds/round-{k - 1}/steering.json" if k > 1 else None)
                record.save(ctx.run_dir)
                steering = str(out / "steering.json")
        stats = result.stats
        return GenerateSummary(**{k: stats[k] for k in ("accepted", "target", "tokens_per_s", "wall_s") if k in stats})


class Curate(_Always):
    name, section = "curate", "curate"
    owns, outputs = ("curate",), (KEPT, "curate/audit.json")

    @staticmethod
    def _opts(ctx: RunContext):
        """IFD scores with the run's student unless the curate section names another model."""
        opts = ctx.opts["curate"]
        if opts.ifd_model is None and ctx.opts["tune"].student:
            return opts.model_copy(update={"ifd_model": ctx.opts["tune"].student})
        return opts

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        return {"curate": self._opts(ctx).model_dump(), "data": ctx.sha(GENERATED), "reference": ctx.sha(SEEDS)}

    def run(self, ctx: RunContext) -> CurateSummary:
        opts = self._opts(ctx)
        reference = Path(opts.reference) if opts.reference else ctx.path(SEEDS)
        return CurateSummary(**plugin("curate").run(ctx.path(GENERATED), ctx.path("curate"), opts, reference))


class Tune(_Always):
    name, section = "tune", "tune"
    owns, outputs = ("tune",), (CURATED_EVAL,)

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        return {"tune": ctx.dump("tune"), "data": ctx.sha(KEPT), "held_out": ctx.sha(HELD_OUT)}

    def run(self, ctx: RunContext) -> TuneSummary:
        return TuneSummary.of(plugin("tune").run(ctx.path(KEPT), ctx.path("tune"), ctx.opts["tune"],
                                                 eval_file=ctx.path(HELD_OUT)))


class CompareRaw:
    """A student on the uncurated rows, with the curated student's rows, steps and seed:
    what curation did, at equal cost."""

    name, section = "compare-raw", "tune"
    owns, outputs = ("compare-raw",), (RAW_EVAL,)

    def wanted(self, ctx: RunContext) -> bool:
        return ctx.opts["run"].compare_raw

    @staticmethod
    def _curated_size(ctx: RunContext) -> dict[str, int]:
        summary = json.loads(ctx.path(CURATED_EVAL).read_text(encoding="utf-8"))
        return {"train_rows": summary["data"]["train_rows"], "max_steps": summary["train"]["steps"]}

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        return {"tune": ctx.dump("tune"), "data": ctx.sha(GENERATED), "held_out": ctx.sha(HELD_OUT),
                **self._curated_size(ctx)}

    def run(self, ctx: RunContext) -> TuneSummary:
        return TuneSummary.of(plugin("tune").run(ctx.path(GENERATED), ctx.path("compare-raw/tune"), ctx.opts["tune"],
                                                 eval_file=ctx.path(HELD_OUT), **self._curated_size(ctx)))


class _SelectionStudent:
    """With `curate: select`, two more students at the all-rows student's steps and seed: one
    on the selected rows, one on as many rows drawn at random from the same pool (the kept
    rows selection chose from), so the three differ only in which rows they saw."""

    section = "tune"

    def wanted(self, ctx: RunContext) -> bool:
        return ctx.opts["curate"].select is not None

    @staticmethod
    def _steps(ctx: RunContext) -> int:
        return json.loads(ctx.path(CURATED_EVAL).read_text(encoding="utf-8"))["train"]["steps"]


class CompareSelected(_SelectionStudent):
    name = "compare-selected"
    owns, outputs = ("compare-selected",), (SELECTED_EVAL,)

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        return {"tune": ctx.dump("tune"), "data": ctx.sha(SELECTED), "held_out": ctx.sha(HELD_OUT),
                "max_steps": self._steps(ctx)}

    def run(self, ctx: RunContext) -> TuneSummary:
        return TuneSummary.of(plugin("tune").run(ctx.path(SELECTED), ctx.path("compare-selected/tune"),
                                                 ctx.opts["tune"], eval_file=ctx.path(HELD_OUT),
                                                 max_steps=self._steps(ctx)))


class CompareRandom(_SelectionStudent):
    name = "compare-random"
    owns, outputs = ("compare-random",), (RANDOM_EVAL,)

    @staticmethod
    def _rows(ctx: RunContext) -> int:
        return json.loads(ctx.path(SELECTED_EVAL).read_text(encoding="utf-8"))["data"]["train_rows"]

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        return {"tune": ctx.dump("tune"), "data": ctx.sha(KEPT), "held_out": ctx.sha(HELD_OUT),
                "max_steps": self._steps(ctx), "train_rows": self._rows(ctx)}

    def run(self, ctx: RunContext) -> TuneSummary:
        return TuneSummary.of(plugin("tune").run(ctx.path(KEPT), ctx.path("compare-random/tune"), ctx.opts["tune"],
                                                 eval_file=ctx.path(HELD_OUT), train_rows=self._rows(ctx),
                                                 max_steps=self._steps(ctx)))


STAGES: list[Stage] = [Split(), Generate(), Curate(), Tune(), CompareRaw(), CompareSelected(), CompareRandom()]

"""The run: a plain list of stages with one contract, and the steered rounds as one loop.

Each stage has a name, the config section it reads, the paths it owns in the run directory,
the files that prove it finished, the inputs that make its fingerprint (hashed into the
manifest), and `run(ctx) -> Summary`. The work is done by a stage plugin (the `seedling.stages`
entry points) on files in the run directory, so the core never imports a stage package; the
plugin declares its files' names (seedling.run.layout), so the core spells none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from rich.console import Console

from seedling.artifacts import TuneEval
from seedling.config import Section
from seedling.hashing import file_sha256
from seedling.overrides import OVERRIDES
from seedling.resources import data_path
from seedling.run.layout import plugin, stage_dir, stage_file
from seedling.run.rounds import ROUNDS, RoundsFile
from seedling.run.split import BASE_EVAL, HELD_OUT, SEEDS, split_seeds
from seedling.run.summaries import (
    CurateSummary,
    GenerateSummary,
    SplitSummary,
    Summary,
    TuneSummary,
)


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

    def evaluation(self, stage: str) -> TuneEval:
        """A finished student's eval.json, as its model."""
        return TuneEval.model_validate_json(self.path(stage_file(stage, "eval")).read_text(encoding="utf-8"))

    @property
    def pool(self) -> bool:
        """The run starts from a dataset the user has, not from generation."""
        return self.opts["run"].pool is not None

    @property
    def seeds(self) -> Path:
        """What the split step splits: the pool, or the seed tasks."""
        if self.pool:
            return Path(self.opts["run"].pool)
        return Path(self.opts["run"].seeds) if self.opts["run"].seeds else data_path("seed_tasks.jsonl")

    @property
    def rows(self) -> str:
        """The rows curate reads: the pool's part that is not held out, or the generated rows."""
        return SEEDS if self.pool else stage_file("generate", "rows")

    @property
    def eval_file(self) -> Path | None:
        return Path(self.opts["run"].eval_file) if self.opts["run"].eval_file else None


class Stage(Protocol):
    name: ClassVar[str]
    section: ClassVar[str]  # the config section (its options class: seedling.config.sections())
    owns: tuple[str, ...]  # set aside when its fingerprint changes

    @property
    def outputs(self) -> tuple[str, ...]: ...  # all present: the stage finished

    def wanted(self, ctx: RunContext) -> bool: ...

    def inputs(self, ctx: RunContext) -> dict[str, Any]: ...

    def run(self, ctx: RunContext) -> Summary: ...


class _Always:
    def wanted(self, ctx: RunContext) -> bool:
        return True


class Split(_Always):
    name, section = "split", "run"
    owns, outputs = ("split",), (SEEDS, HELD_OUT)  # the core's own stage: its names are the core's

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        return {"seeds": file_sha256(ctx.seeds), "eval_file": file_sha256(ctx.eval_file) if ctx.eval_file else None,
                "fraction": ctx.opts["run"].eval_fraction, "seed": ctx.opts["run"].seed}

    def run(self, ctx: RunContext) -> SplitSummary:
        run = ctx.opts["run"]
        return SplitSummary(**split_seeds(ctx.seeds, ctx.eval_file, run.eval_fraction, run.seed, ctx.run_dir))


class Generate:
    """Generation in `run.rounds` rounds; after each, curate audits the rows so far, and its
    steering.json steers the next round (coverage-guided generation). Not in a run on a pool."""

    name, section = "generate", "generate"

    @property
    def owns(self) -> tuple[str, ...]:
        return stage_dir("generate"), "rounds", ROUNDS

    def wanted(self, ctx: RunContext) -> bool:
        return not ctx.pool

    @property
    def outputs(self) -> tuple[str, ...]:
        return stage_file("generate", "rows"), ROUNDS

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        n = ctx.opts["run"].rounds
        return {"generate": ctx.dump("generate"), "seeds": ctx.sha(SEEDS), "rounds": n,
                "curate": ctx.dump("curate") if n > 1 else None}

    def run(self, ctx: RunContext) -> GenerateSummary:
        generate, curate = plugin("generate"), plugin("curate")
        n = ctx.opts["run"].rounds
        opts = ctx.opts["generate"].model_copy(update={"seeds": str(ctx.path(SEEDS))})
        record = RoundsFile(bounds=[0, *generate.round_targets(opts.num, n)])  # round k: rows [bounds[k-1], bounds[k])
        steering, steering_file = opts.steering, curate.OUTPUTS["steering"]
        with generate.Rounds(opts, ctx.run_dir, n, ctx.console) as rounds:
            for k in range(1, n + 1):
                result = rounds.grow(k, steering)
                out = ctx.path(f"rounds/round-{k}")
                why = "to steer the next" if k < n else "for the per-round figures"
                ctx.console.print(f"auditing {f'rounds 1-{k}' if k > 1 else 'round 1'} ({record.bounds[k]} rows) {why}")
                entry = curate.audit_round(result.output, record.bounds, k, ctx.opts["curate"], ctx.path(SEEDS), out)
                record.add(entry, steering_used=f"rounds/round-{k - 1}/{steering_file}" if k > 1 else None)
                record.save(ctx.run_dir)
                steering = str(out / steering_file)
        stats = result.stats
        return GenerateSummary(accepted=stats.accepted, target=stats.target, tokens_per_s=stats.tokens_per_s,
                               wall_s=stats.wall_s)


class Curate(_Always):
    name, section = "curate", "curate"
    owns = ("curate",)

    @property
    def outputs(self) -> tuple[str, ...]:
        return stage_file("curate", "kept"), stage_file("curate", "audit")

    @staticmethod
    def _opts(ctx: RunContext):
        """IFD scores with the run's student unless the curate section names another model."""
        opts = ctx.opts["curate"]
        if opts.ifd_model is None and ctx.opts["tune"].student:
            return opts.model_copy(update={"ifd_model": ctx.opts["tune"].student})
        return opts

    @staticmethod
    def _reference(ctx: RunContext) -> Path | None:
        """Coverage and the bias comparison against the seed tasks; on a pool, only a named reference."""
        opts = ctx.opts["curate"]
        return Path(opts.reference) if opts.reference else None if ctx.pool else ctx.path(SEEDS)

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        reference = self._reference(ctx)
        decided = ctx.path(OVERRIDES)  # beside the run's stage directories: a rerun does not set it aside
        return {"curate": self._opts(ctx).model_dump(), "data": ctx.sha(ctx.rows),
                "reference": file_sha256(reference) if reference else None,
                **({"overrides": file_sha256(decided)} if decided.exists() else {})}

    def run(self, ctx: RunContext) -> CurateSummary:
        return plugin("curate").run(ctx.path(ctx.rows), ctx.path(stage_dir("curate")), self._opts(ctx),
                                    self._reference(ctx), ctx.path(OVERRIDES))


JUDGE_PREFIX = "judge"  # tune options the run's judge step reads (seedling.run.judging): no student's


class _Student:
    """A student the tune plugin trains on one stage's rows, in the stage's own directory, and
    judges on the held-out set; `sizing` holds it to another student's rows or steps."""

    section = "tune"
    rows: ClassVar[tuple[str, str]]  # the (stage, role) of the file it trains on

    @property
    def owns(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def outputs(self) -> tuple[str, ...]:
        return (stage_file(self.name, "eval"),)

    def sizing(self, ctx: RunContext) -> dict[str, int]:
        return {}

    def data(self, ctx: RunContext) -> str:
        return stage_file(*self.rows)

    def inputs(self, ctx: RunContext) -> dict[str, Any]:
        tune = {k: v for k, v in ctx.dump("tune").items() if not k.startswith(JUDGE_PREFIX)}  # the judge step's
        return {"tune": tune, "data": ctx.sha(self.data(ctx)), "held_out": ctx.sha(HELD_OUT),
                **self.sizing(ctx)}

    def run(self, ctx: RunContext) -> TuneSummary:
        return TuneSummary.of(plugin("tune").run(ctx.path(self.data(ctx)), ctx.path(stage_dir(self.name)),
                                                 ctx.opts["tune"], eval_file=ctx.path(HELD_OUT),
                                                 base_cache=ctx.path(BASE_EVAL), **self.sizing(ctx)))


class Tune(_Always, _Student):
    name, rows = "tune", ("curate", "kept")


class CompareRaw(_Student):
    """A student on the uncurated rows, with the curated student's rows, steps and seed:
    what curation did, at equal cost."""

    name, rows = "compare-raw", ("generate", "rows")

    def data(self, ctx: RunContext) -> str:
        return ctx.rows

    def wanted(self, ctx: RunContext) -> bool:
        return ctx.opts["run"].compare_raw

    def sizing(self, ctx: RunContext) -> dict[str, int]:
        curated = ctx.evaluation("tune")
        return {"train_rows": curated.data.train_rows, "max_steps": curated.train.steps}


class _SelectionStudent(_Student):
    """With `curate: select`, two more students at the all-rows student's steps and seed: one
    on the selected rows, one on as many rows drawn at random from the same pool (the kept
    rows selection chose from), so the three differ only in which rows they saw."""

    def wanted(self, ctx: RunContext) -> bool:
        return ctx.opts["curate"].select is not None


class CompareSelected(_SelectionStudent):
    name, rows = "compare-selected", ("curate", "selected")

    def sizing(self, ctx: RunContext) -> dict[str, int]:
        return {"max_steps": ctx.evaluation("tune").train.steps}


class CompareRandom(_SelectionStudent):
    name, rows = "compare-random", ("curate", "kept")

    def sizing(self, ctx: RunContext) -> dict[str, int]:
        return {"max_steps": ctx.evaluation("tune").train.steps,
                "train_rows": ctx.evaluation("compare-selected").data.train_rows}


STAGES: list[Stage] = [Split(), Generate(), Curate(), Tune(), CompareRaw(), CompareSelected(), CompareRandom()]

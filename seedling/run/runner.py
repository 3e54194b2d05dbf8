"""Run the stages in order (seedling.run.stages.STAGES), skipping what is done for the same
inputs and resuming the rest.

A stage is skipped when the manifest says it finished with the same fingerprint (its config
and the hashes of its input files) and its outputs exist; an option that an upgrade of seedling
added since, held at its default, changes nothing. A changed fingerprint, or --from,
moves the stage's old outputs aside into superseded/ (never deleted) and runs it afresh; the
stages after it see new input hashes and follow. An unfinished stage (killed, failed) is run
again on its own outputs, and each stage resumes its own work (generate's shards, tune's
checkpoints).
"""

from __future__ import annotations

import fcntl
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from rich.console import Console

from seedling.config import ConfigFile, Section, sections
from seedling.errors import ConfigError
from seedling.hashing import file_sha256, fingerprint
from seedling.identity import changed, option_defaults, stored, upgraded
from seedling.resources import data_path
from seedling.run.judging import Judge
from seedling.run.manifest import Manifest, machine, now, packages
from seedling.run.layout import PLUGINS, layout, plugin
from seedling.run.stages import STAGES, RunContext, Stage

STEPS = (*STAGES, Judge())  # the run's steps in order: the stages, then the judge of their students

SECTIONS = ("run", "generate", "curate", "tune")


def load_options(config: Path) -> tuple[ConfigFile, dict[str, Section]]:
    """Every section validated before any work, so a typo in tune: fails in a second, not
    after an hour of generation."""
    for name in PLUGINS:
        plugin(name)
    cfg = ConfigFile(config)
    opts = {name: cfg.build(name) for name in SECTIONS}
    if opts["generate"].seeds:
        raise ConfigError(f"{cfg.path}: line {cfg.line_of(('generate', 'seeds'))}: in a run the seed tasks are "
                          "run.seeds (part of them is held out for evaluation); remove generate.seeds")
    if opts["tune"].eval_file:
        raise ConfigError(f"{cfg.path}: line {cfg.line_of(('tune', 'eval_file'))}: in a run the held-out set is "
                          "run.eval_file (the teacher must not see it either); remove tune.eval_file")
    if opts["run"].pool and opts["run"].seeds:
        raise ConfigError(f"{cfg.path}: line {cfg.line_of(('run', 'pool'))}: a run on a pool has no teacher and no "
                          "seed tasks: remove run.seeds (or run.pool)")
    for key in ("seeds", "pool", "eval_file"):
        value = getattr(opts["run"], key)
        if value and not Path(value).exists():
            raise ConfigError(f"{cfg.path}: line {cfg.line_of(('run', key))}: run.{key}: no such file {value}")
    return cfg, opts


def describe_inputs(ctx: RunContext) -> dict[str, Any]:
    from seedling.formats import load

    seeds = ctx.seeds
    key = "pool" if ctx.pool else "seeds"
    facts: dict[str, Any] = {key: {"path": str(seeds.resolve()), "sha256": file_sha256(seeds),
                                   "rows": len(load(seeds).records)}}
    if seeds.resolve() == data_path("seed_tasks.jsonl").resolve():
        facts[key]["license"] = "Apache-2.0 (the Self-Instruct seed tasks, see data/README.md)"
    if ctx.eval_file:
        facts["eval_file"] = {"path": str(ctx.eval_file.resolve()), "sha256": file_sha256(ctx.eval_file)}
    return facts


def describe_models(ctx: RunContext) -> dict[str, Any]:
    """Each stage names its model with the weights' hash (the teacher may be converted once here)."""
    teacher = {} if ctx.pool else {"teacher": plugin("generate").describe(ctx.opts["generate"])}
    return {**teacher,
            "student": plugin("tune").describe(ctx.opts["tune"]),
            "embedder": plugin("curate").describe(ctx.opts["curate"])}


def warn_changes(before: dict[str, Any], after: dict[str, Any], console: Console) -> None:
    """A manifest handed over from elsewhere names inputs and weights; say where this machine
    differs, since the same config then gives another run."""
    for key in ("inputs", "models"):
        old, new = before.get(key), after[key]
        if old and old != new:
            console.print(f"[yellow]note:[/] {key} differ from this run directory's manifest: "
                          f"{', '.join(changed(old, new))}")


def set_aside(run_dir: Path, owned: tuple[str, ...], name: str) -> None:
    present = [rel for rel in owned if (run_dir / rel).exists()]
    if not present:
        return
    target = run_dir / "superseded" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    target.mkdir(parents=True, exist_ok=True)
    for rel in present:
        shutil.move(str(run_dir / rel), str(target / Path(rel).name))


def plan(ctx: RunContext, start: str | None, until: str | None) -> list[Stage]:
    stages = [s for s in STEPS if s.wanted(ctx)]
    names = [s.name for s in stages]
    for flag, value in (("--from", start), ("--until", until)):
        if value is not None and value not in names:
            raise ConfigError(f"{flag} {value}: no such step in this run; steps: {', '.join(names)}")
    if start and until and names.index(start) > names.index(until):
        raise ConfigError(f"--from {start} comes after --until {until}")
    return stages[: names.index(until) + 1] if until else stages


def earlier(step: dict[str, Any], inputs: dict[str, Any]) -> str | None:
    """The fingerprint a step was run with, counting the options an upgrade of seedling added
    since as at their default (a step recorded before its inputs were kept: as recorded)."""
    if "inputs" not in step:
        return step.get("fingerprint")
    defaults = {name: option_defaults(options) for name, options in sections().items()}
    return fingerprint(upgraded(step["inputs"], inputs, defaults))


def execute(stage: Stage, ctx: RunContext, manifest: Manifest, fp: str, inputs: dict[str, Any]) -> None:
    ctx.console.rule(f"[bold]{stage.name}")
    manifest.start(stage.name, fp, inputs)
    started = time.perf_counter()
    try:
        summary = stage.run(ctx).facts()
    except BaseException as exc:
        manifest.fail(stage.name, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
        raise
    seconds = time.perf_counter() - started
    manifest.finish(stage.name, seconds, summary)
    facts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items() if v is not None)
    ctx.console.print(f"[green]{stage.name}: done in {seconds:.0f} s[/] ({facts})")


def run(config: Path, out: Path | None = None, start: str | None = None, until: str | None = None,
        console: Console | None = None) -> Path:
    """Run or resume the run of `config` in `out` (default runs/<run.name or config stem>)."""
    console = console or Console(stderr=True)
    cfg, opts = load_options(config)
    run_dir = out or Path("runs") / (opts["run"].name or cfg.path.stem)
    ctx = RunContext(run_dir, opts, console)
    stages = plan(ctx, start, until)
    inputs = describe_inputs(ctx)  # reads the seed tasks: a bad file stops here, before anything is written
    run_dir.mkdir(parents=True, exist_ok=True)
    with exclusive(run_dir):
        return _run(ctx, cfg, stages, inputs, start)


@contextmanager
def exclusive(run_dir: Path) -> Iterator[None]:
    """One process per run directory: two would append to the same shards and checkpoints."""
    with open(run_dir / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"{run_dir} is in use by another `seedling run`; wait for it or choose another --out") from None
        yield


def _run(ctx: RunContext, cfg: ConfigFile, stages: list[Stage], inputs: dict[str, Any], start: str | None) -> Path:
    run_dir, opts, console = ctx.run_dir, ctx.opts, ctx.console
    manifest = Manifest(run_dir)
    facts = {"config_file": str(cfg.path), "config": {name: o.model_dump() for name, o in opts.items()},
             "packages": packages(), "machine": machine(opts["tune"].dtype), "inputs": inputs,
             "models": describe_models(ctx), "layout": layout()}
    warn_changes(manifest.data, facts, console)
    manifest.describe(**facts)
    console.print(f"run directory: {run_dir}  (CPU {facts['machine']['cpu_capability']}, "
                  f"{facts['machine']['dtype']}: {facts['machine']['dtype_reason']})")

    forced = False
    for stage in stages:
        forced = forced or stage.name == start
        given = stored(stage.inputs(ctx))
        fp = fingerprint(given)
        before = manifest.stages.get(stage.name, {})
        then = earlier(before, given)
        finished = (before.get("status") == "done" and then == fp
                    and all(ctx.path(o).exists() for o in stage.outputs))
        if finished and not forced:
            before.update(fingerprint=fp, inputs=given)
            manifest.save()
            console.print(f"[dim]{stage.name}: done for these inputs ({before.get('wall_s')} s then); skipped[/]")
            continue
        if forced or then not in (None, fp):
            set_aside(run_dir, stage.owns, stage.name)
        execute(stage, ctx, manifest, fp, given)

    from seedling.run.report import write_report

    started = time.perf_counter()
    report = write_report(run_dir)
    manifest.stages["report"] = {"status": "done", "finished": now(), "wall_s": round(time.perf_counter() - started, 1)}
    manifest.save()
    console.print(f"report: {report}")
    return report

"""`seedling tune DATA --out DIR`: train a LoRA student and say whether it got better (its option
flags come from TuneOptions), and `seedling eval`."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from seedling.artifacts import Difference, SeedRun, TrainData, TuneEval
from seedling.flags import command
from tune.options import TuneOptions


def _parameter(name: str, annotation, default) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


# The command's own arguments; its option flags come from TuneOptions (seedling.flags).
OWN = [
    _parameter("data", Path, typer.Argument(..., help="Training data, any format seedling reads.")),
    _parameter("out", Path, typer.Option(..., "--out", help="Run directory for adapter/, checkpoints/, eval.json.")),
    _parameter("resume", bool, typer.Option(False, "--resume", help="Continue from the last checkpoint in --out.")),
    _parameter("no_samples", bool, typer.Option(False, "--no-samples", help="No side-by-side replies (--samples 0).")),
    _parameter("checks", Optional[bool], typer.Option(None, "--checks/--no-checks", help="Verifiable instruction "
               "checks (greedy replies to prompts that state a constraint) (default: on).")),
]


def tune_command(data: Path, out: Path, resume: bool, no_samples: bool, checks: Optional[bool], flags: dict,
                 config: Optional[Path]) -> None:
    """Train a LoRA adapter with TRL + PEFT and evaluate base vs student on held-out data.

    Defaults are tune/options.py's; a --config file's tune: section overrides them, and flags
    override both. Evaluation prints rows/s as it goes; --no-samples --no-checks leaves only the
    held-out NLL, the fastest check that a short run works."""
    from seedling.cli import options
    from tune.run import run_tune

    opts = options("tune", config, **{**flags, "samples": 0 if no_samples else flags["samples"],
                                      "checks": None if checks is None else "auto" if checks else "off"})
    summary = run_tune(data, out, opts, resume)
    if summary is not None:  # None: a secondary process under accelerate launch
        show(summary, out)


def eval_command(held: Path, a: str, b: str, out: Optional[Path], flags: dict, config: Optional[Path]) -> None:
    """Judge student A against student B on held-out instructions: win rate (both orders, ties
    half) with its interval, and the length-controlled win rate.

    The judge is a teacher, its flags those of every teacher (--judge-engine, --judge-model,
    --judge-base-url); a --config file's tune: section (judge:, judge_rows, ...) sets the rest."""
    from seedling.cli import options
    from tune.compare import judge_students, summary_line

    opts = options("tune", config, **flags)
    result = judge_students(held, a, b, opts, out)
    Console().print(summary_line(result.summary, a, b))


# `seedling eval`'s own arguments; its option flags (the judge's among them) come from TuneOptions.
EVAL_OWN = [
    _parameter("held", Path, typer.Argument(..., help="Held-out instructions, any format seedling reads.")),
    _parameter("a", str, typer.Option(..., "--a", help="Student A: an adapter dir (a tune run's adapter/), a model "
                                                       "dir, or 'base'.")),
    _parameter("b", str, typer.Option("base", "--b", help="Student B, as --a.")),
    _parameter("out", Optional[Path], typer.Option(None, "--out", help="Write every verdict and answer here (JSON).")),
]


def register(app: typer.Typer) -> None:
    app.command("eval")(command(TuneOptions, "eval", EVAL_OWN, eval_command))
    app.command("tune")(command(TuneOptions, "tune", OWN, tune_command))


TEMPLATE_NOTE = "a frame 3 or more rows fill with different words, and different answers: a different task"


def difference_line(d: Difference) -> str:
    """The paired figure, named as what it is: a mean of per-example figures, not the table's pooled one."""
    ci = f"95% CI {d.ci95[0]:+.4f} to {d.ci95[1]:+.4f}" if d.ci95 else "no interval"
    call = "no clear difference" if not d.differs else "student better" if d.mean < 0 else "student worse"
    smallest = (f"; n = {d.n} finds a difference of {d.detectable:.4f} or more reliably (80 % power)"
                if d.detectable else "")
    return (f"student - base, mean over examples of each one's NLL per token (the table pools tokens): "
            f"{d.mean:+.4f} ({ci}, n = {d.n}, Student's t): {call}; better on {d.improved} of {d.n}{smallest}")


def seeds_line(seeds: list[SeedRun]) -> str:
    """The student's held-out NLL at each training seed, and their spread."""
    import statistics

    values = [s.nll_per_token for s in seeds if s.nll_per_token is not None]
    spread = f"; sd across seeds {statistics.stdev(values):.4f}" if len(values) > 1 else ""
    return ("student's held-out NLL per token by training seed: "
            + ", ".join(f"seed {s.seed} {s.nll_per_token}" for s in seeds) + spread)


def _data_lines(data: TrainData, out: Path) -> list[str]:
    """What was dropped from training or kept near the held-out set, and rows asked for but missing."""
    d, lines = data.decontamination, []
    if data.removed_as_overlapping_eval:
        lines.append(f"removed {data.removed_as_overlapping_eval} training rows that overlap the held-out set "
                     f"({d.exact} exact, {d.near} near at {d.shingle} Jaccard >= {d.threshold}); "
                     f"examples in {out / 'eval.json'}")
    if d.template_kept:
        lines.append(f"kept {d.template_kept} training rows that share only a template with a held-out row "
                     f"({TEMPLATE_NOTE})")
    if data.train_rows_requested and data.train_rows < data.train_rows_requested:
        lines.append(f"[yellow]asked for {data.train_rows_requested} training rows; "
                     f"only {data.train_rows} available, trained on all of them[/]")
    return lines


def show(summary: TuneEval, out: Path) -> None:
    console = Console()
    t, nll = summary.train, summary.nll
    for line in _data_lines(summary.data, out):
        console.print(line)
    console.print(f"trained {t.steps} steps in {t.seconds} s; mean loss, first tenth of steps "
                  f"{t.first_loss} -> last tenth {t.last_loss}")
    if nll.n:
        table = Table(title=f"Held-out NLL per token ({nll.n} examples; lower is better)")
        for col in ("model", "NLL/token", "perplexity"):
            table.add_column(col)
        for name, side in (("base", nll.base), ("student", nll.student)):
            table.add_row(name, str(side.nll_per_token), str(side.perplexity))
        console.print(table)
        console.print(difference_line(nll.difference))
    if len(summary.seeds) > 1:
        console.print(seeds_line(summary.seeds))
    if summary.checks:
        c = summary.checks
        console.print(f"instruction checks kept: base {c.base}/{c.constraints}, student {c.student}/{c.constraints}")
    console.print(f"adapter: {out / 'adapter'}   eval: {out / 'eval.json'}")

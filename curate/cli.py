"""`seedling curate IN --out DIR` and `seedling audit IN`, added through `register(app)`; their
flags come from CurateOptions (seedling.flags)."""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Optional

import typer

from curate.options import CurateOptions
from seedling.cli import console, load_input, options
from seedling.curate_audit import InputFile
from seedling.flags import command


def _run(src: Path, flags: dict, config: Optional[Path]):
    from curate.pipeline import curate as run_curate
    from curate.scores import score_pool
    from curate.select import check_budget
    from seedling.formats import load

    opts = options("curate", config, **flags)
    loaded = load_input(src, opts)
    reference = load(opts.reference).records if opts.reference else None
    check_budget(opts.select, len(loaded.records))
    started = time.perf_counter()
    scores = score_pool(loaded.records, opts, console)  # its own progress bar, before the spinner
    if not console.is_terminal:  # the spinner below shows nothing in a log
        console.print(f"auditing {len(loaded.records)} rows", highlight=False)
    source = InputFile(path=str(src), format=loaded.format, container=loaded.container,
                       skipped_invalid=len(loaded.skipped), notes=loaded.notes, prompt_only=loaded.prompt_only)
    with console.status(f"auditing {len(loaded.records)} rows"):
        return run_curate(loaded.records, opts, reference=reference, model_scores=scores, source=source,
                          started=started)


def _argument(name: str, annotation, default) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


SOURCE = _argument("src", Path, typer.Argument(..., help="Dataset file or datasets directory."))


def curate_command(src: Path, out: Path, flags: dict, config: Optional[Path]) -> None:
    """Dedup, score and audit a dataset: kept.jsonl, removed.jsonl (with reasons), audit.json/html;
    with --select N also selected.jsonl and selection.jsonl."""
    from curate import overrides
    from curate.outputs import write_data, write_report
    from curate.report.terminal import show
    from seedling.overrides import OVERRIDES

    result = _run(src, flags, config)
    overrides.apply(result, out / OVERRIDES)
    written = write_data(result, out) + write_report(result, out, src.name)
    show(result.audit, console)
    console.print("wrote " + ", ".join(str(p) for p in written))


def audit_command(src: Path, out: Optional[Path], flags: dict, config: Optional[Path]) -> None:
    """Report on a dataset without changing it: terminal summary, audit.json, audit.html.

    Removal options belong to `seedling curate`, which writes the kept and removed rows."""
    from curate.outputs import write_report
    from curate.report.terminal import show

    result = _run(src, flags, config)
    target = out or Path(f"{src.name.split('.')[0]}-audit")
    written = write_report(result, target, src.name)
    show(result.audit, console)
    console.print("wrote " + ", ".join(str(p) for p in written) + " (data unchanged)")


def register(app: typer.Typer) -> None:
    out = typer.Option(..., "--out", "-o", help="Output directory.")
    report_dir = typer.Option(None, "--out", "-o", help="Report directory (default: ./<name>-audit).")
    app.command("curate")(command(CurateOptions, "curate", [SOURCE, _argument("out", Path, out)], curate_command))
    app.command("audit")(command(CurateOptions, "audit", [SOURCE, _argument("out", Optional[Path], report_dir)],
                                 audit_command))

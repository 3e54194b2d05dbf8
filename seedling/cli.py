"""The `seedling` command. Core commands live here; each stage adds its own through the
`seedling.commands` entry-point group, so the core never imports a stage package."""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from seedling.config import ConfigFile, Section, build_section, section
from seedling.errors import SeedlingError

console = Console()
app = typer.Typer(
    help="seedling: seed tasks to a curated instruction dataset and a LoRA-tuned student.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = typer.Option(None, "--config", "-c", help="YAML config; flags override its values.")


def options(name: str, config: Optional[Path], **flags) -> Section:
    """The command's config section from the file (if any), with the flags given on top."""
    if config is None:
        return build_section(name, {}, flags)
    return ConfigFile(config).build(name, flags)


@section("convert")
class ConvertOptions(Section):
    from_format: Optional[str] = None
    to: str = "contract"
    skip_invalid: bool = False
    split: Optional[str] = None


@section("stats")
class StatsOptions(Section):
    format: Optional[str] = None
    skip_invalid: bool = False
    split: Optional[str] = None


def report_skipped(skipped) -> None:
    if skipped:
        console.print(f"[yellow]skipped {len(skipped)} invalid rows[/], first: {skipped[0]}")


@app.command()
def convert(
    src: Path = typer.Argument(..., help="Input file or datasets directory."),
    dst: Path = typer.Argument(..., help="Output file: .jsonl, .json or .parquet."),
    from_format: Optional[str] = typer.Option(None, "--from", help="Input row format (default: detected)."),
    to: Optional[str] = typer.Option(None, "--to", help="Output rows: contract, alpaca or messages."),
    skip_invalid: Optional[bool] = typer.Option(None, "--skip-invalid", help="Skip bad rows, listing them."),
    split: Optional[str] = typer.Option(None, help="Split of a DatasetDict directory."),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Convert a dataset between formats through the data contract."""
    from seedling.formats import Source, save

    opts = options("convert", config, from_format=from_format, to=to, skip_invalid=skip_invalid, split=split)
    source = Source(src, opts.from_format, skip_invalid=opts.skip_invalid, split=opts.split)
    n = save(source, dst, opts.to)
    report_skipped(source.skipped)
    console.print(f"wrote {n} records ({source.format} -> {opts.to}) to {dst}")


@app.command()
def stats(
    path: Path = typer.Argument(..., help="Dataset file or datasets directory."),
    format: Optional[str] = typer.Option(None, help="Row format (default: detected)."),
    skip_invalid: Optional[bool] = typer.Option(None, "--skip-invalid", help="Skip bad rows, listing them."),
    split: Optional[str] = typer.Option(None, help="Split of a DatasetDict directory."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Rows, fields, sources and length distributions of a dataset."""
    from seedling.formats import load
    from seedling.stats import dataset_stats

    opts = options("stats", config, format=format, skip_invalid=skip_invalid, split=split)
    loaded = load(path, opts.format, skip_invalid=opts.skip_invalid, split=opts.split)
    figures = dataset_stats(loaded.records)
    figures = {"path": str(path), "container": loaded.container, "format": loaded.format,
               "skipped": len(loaded.skipped), **figures}
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    report_skipped(loaded.skipped)
    console.print(
        f"[bold]{path}[/]: {figures['records']} records ({loaded.format} in {loaded.container}), "
        f"{figures['unique_ids']} unique, {figures['with_input']} with input"
    )
    table = Table(title="Lengths")
    for col in ("field", "unit", "non-empty", "min", "p50", "p90", "p99", "max", "mean"):
        table.add_column(col, justify="left" if col in ("field", "unit") else "right")
    for name, f in figures["fields"].items():
        for unit in ("chars", "words"):
            s = f[unit]
            table.add_row(name if unit == "chars" else "", unit,
                          str(f["non_empty"]) if unit == "chars" else "",
                          *(str(s[k]) for k in ("min", "p50", "p90", "p99", "max", "mean")))
    console.print(table)
    for title, counts in (("source", figures["sources"]), ("meta key", figures["meta_keys"]),
                          ("added column", figures["extra_columns"])):
        if counts:
            t = Table(title=f"Rows by {title}")
            t.add_column(title)
            t.add_column("rows", justify="right")
            for k, v in counts.items():
                t.add_row(str(k), str(v))
            console.print(t)


@app.command()
def info(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Versions, CPU and dtype, importable engines, and where the default models are."""
    from seedling.info import gather

    facts = gather()
    if as_json:
        print(json.dumps(facts, indent=2))
        return
    for title, rows in facts.items():
        table = Table(title=title, show_header=False, title_justify="left")
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for key, value in rows.items():
            table.add_row(key, value)
        console.print(table)


@app.command("run")
def run_command(
    config: Path = typer.Argument(..., help="Run config (YAML with run:, generate:, curate:, tune: sections), "
                                            "or a run's manifest.json to repeat that run."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run directory (default runs/<run.name or config name>)."),
    start: Optional[str] = typer.Option(None, "--from", help="Redo this step and those after it: split, generate, "
                                                              "curate, tune, compare-raw."),
    until: Optional[str] = typer.Option(None, "--until", help="Stop after this step."),
) -> None:
    """Seed tasks to a curated dataset and a tuned, evaluated student, with one report (resumable)."""
    from seedling.run.runner import run

    run(config, out, start, until, console)


def load_stage_commands() -> None:
    """Each entry point is `name = "module:register"`; register(app) adds commands."""
    for ep in entry_points(group="seedling.commands"):
        ep.load()(app)


def main() -> None:
    load_stage_commands()
    try:
        app()
    except SeedlingError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)

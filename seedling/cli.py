"""The `seedling` command. Core commands live here; each stage adds its own through the
`seedling.commands` entry-point group, so the core never imports a stage package."""

from __future__ import annotations

import json
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.table import Table

from seedling.config import ConfigFile, InputOptions, Section, build_section, flag, section
from seedling.device import yield_idle_threads
from seedling.errors import DataError, SeedlingError
from seedling.flags import ConfigParameter, option
from seedling.run.runner import STEPS

if TYPE_CHECKING:
    from seedling.formats import Loaded, Source

console = Console()
app = typer.Typer(
    help="seedling: seed tasks to a curated instruction dataset and a LoRA-tuned student.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = ConfigParameter.default


def options(name: str, config: Optional[Path], **flags) -> Section:
    """The command's config section from the file (if any), with the flags given on top."""
    if config is None:
        return build_section(name, {}, flags)
    return ConfigFile(config).build(name, flags)


def _no_type_for_flags() -> None:
    """typer's help puts a `<bool>` type beside every flag, --help included; a flag takes no
    value, so it gets none."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None:  # a typer release without this hook: its help stays as it prints it
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich


_no_type_for_flags()


def _version(show: bool) -> None:
    if show:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"seedling {version('seedling')}")
        except PackageNotFoundError:
            print("seedling (not installed: running from a checkout)")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """seedling: seed tasks to a curated instruction dataset and a LoRA-tuned student."""


# How every command that reads a dataset reads it: the same flags, the same config keys.
FormatOpt, MapOpt, JsonPathOpt, SkipOpt, SplitOpt = (option(InputOptions, name) for name in
                                                     ("format", "map", "json_path", "skip_invalid", "split"))


def open_input(src: Path, opts) -> "Source":
    """A lazily read input, as the input options say."""
    from seedling.formats import Source, parse_mapping

    source = Source(src, opts.format, skip_invalid=opts.skip_invalid, split=opts.split,
                    mapping=parse_mapping(opts.map), json_path=opts.json_path)
    source.offer_skip = True
    return source


def load_input(src: Path, opts, quiet: bool = False) -> "Loaded":
    """The whole input, read as the input options say, with what reading did said once
    (unless `quiet`: the caller reports it another way)."""
    from seedling.formats import Loaded

    loaded = Loaded.read(open_input(src, opts))
    if not quiet:
        report_import(loaded)
    return loaded


@section("convert")
class ConvertOptions(InputOptions):
    to: str = flag("contract", "Output rows: contract (default), alpaca, dolly, prompt_completion, messages or "
                               "sharegpt.")


@section("stats")
class StatsOptions(InputOptions):
    pass


def report_skipped(skipped) -> None:
    if skipped:
        console.print(f"[yellow]skipped {len(skipped)} invalid rows[/], first: {skipped[0]}", highlight=False)


def report_import(loaded) -> None:
    """Skipped rows and the notes of reading (markers stripped, split read, prompt-only ...)."""
    report_skipped(loaded.skipped)
    for note in loaded.notes:
        console.print(f"{loaded.path}: {note}", highlight=False, soft_wrap=True)


ToOpt = option(ConvertOptions, "to")


@app.command()
def convert(
    src: Path = typer.Argument(..., help="Input file or datasets directory."),
    dst: Path = typer.Argument(..., help="Output file: .jsonl, .json, .parquet, .arrow, .csv, .tsv or "
                                         ".xlsx (+ .gz for the text ones)."),
    to: Optional[str] = ToOpt,
    format: Optional[str] = FormatOpt, map: Optional[str] = MapOpt, json_path: Optional[str] = JsonPathOpt,
    skip_invalid: Optional[bool] = SkipOpt, split: Optional[str] = SplitOpt,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Convert a dataset between formats through the data contract."""
    from seedling.formats import save

    opts = options("convert", config, format=format, map=map, json_path=json_path, to=to,
                   skip_invalid=skip_invalid, split=split)
    source = open_input(src, opts)
    notes: list[str] = []
    n = save(source, dst, opts.to, notes)
    report_import(source)
    for note in notes:
        console.print(f"[yellow]{note}[/]", highlight=False, soft_wrap=True)
    console.print(f"wrote {n} records ({source.format} -> {opts.to}) to {dst}", highlight=False)


@app.command()
def stats(
    path: Path = typer.Argument(..., help="Dataset file or datasets directory."),
    format: Optional[str] = FormatOpt, map: Optional[str] = MapOpt, json_path: Optional[str] = JsonPathOpt,
    skip_invalid: Optional[bool] = SkipOpt, split: Optional[str] = SplitOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Rows, fields, sources and length distributions of a dataset."""
    from seedling.stats import dataset_stats

    opts = options("stats", config, format=format, map=map, json_path=json_path, skip_invalid=skip_invalid,
                   split=split)
    loaded = load_input(path, opts, quiet=as_json)
    figures = dataset_stats(loaded.records)
    figures = {"path": str(path), "container": loaded.container, "format": loaded.format,
               "skipped": len(loaded.skipped), "notes": loaded.notes, "prompt_only": loaded.prompt_only, **figures}
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
        return
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
    start: Optional[str] = typer.Option(None, "--from", help="Redo this step and those after it: "
                                        + ", ".join(step.name for step in STEPS) + " (those the config runs)."),
    until: Optional[str] = typer.Option(None, "--until", help="Stop after this step."),
) -> None:
    """Seed tasks to a curated dataset and a tuned, evaluated student, with one report (resumable)."""
    from seedling.run.runner import run

    run(config, out, start, until, console)


def load_stage_commands() -> None:
    """Each entry point is `name = "module:register"`; register(app) adds commands."""
    for ep in entry_points(group="seedling.commands"):
        ep.load()(app)


def run_offline() -> None:
    """The command's process never reaches a model hub (there may be no network at all).
    huggingface_hub reads these once, when it is first imported, so the command sets them before
    anything imports it; a user's own HF_HUB_OFFLINE stands. Set here, not on `import seedling`,
    so a program using seedling as a library keeps its own environment (its models load from
    local paths all the same)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def main() -> None:
    run_offline()
    yield_idle_threads()
    load_stage_commands()
    try:
        app()
    except SeedlingError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        if isinstance(exc, DataError) and exc.skippable:
            console.print("(--skip-invalid skips such rows, counting them and showing the first)", highlight=False)
        sys.exit(2)

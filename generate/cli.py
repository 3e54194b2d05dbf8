"""`seedling generate` (its option flags come from GenerateOptions) and `seedling merge`: plugged
into the core CLI through the seedling.commands entry point."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Optional

import typer

from generate.options import GenerateOptions
from seedling.cli import options
from seedling.flags import command


def _option(name: str, annotation, default) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


# The command's own flags; the others come from GenerateOptions (seedling.flags).
OWN = [
    _option("out", Path, typer.Option(..., "--out", help="Run directory, e.g. runs/demo (output in OUT/generate/).")),
    _option("new_run", bool, typer.Option(False, "--new-run", help="Move an existing run with another config aside.")),
    _option("shard", Optional[str], typer.Option(None, "--shard", help="Run only shard K/N of the plan (counted from "
                                                 "1) into OUT/generate/shard-K-of-N/; then `seedling merge OUT`.")),
    _option("shards", Optional[int], typer.Option(None, "--shards", min=1, help="Run all N shards with --executor, "
                                                  "then merge them.")),
    _option("executor", str, typer.Option("local", "--executor", help="Who runs --shards: local (one after another) "
                                          "or ray (one task each).")),
    _option("ray_address", Optional[str], typer.Option(None, "--ray-address", help="Ray cluster to use (default: "
                                                       "RAY_ADDRESS, else a local one).")),
]


def generate_command(out: Path, new_run: bool, shard: Optional[str], shards: Optional[int], executor: str,
                     ray_address: Optional[str], flags: dict, config: Optional[Path]) -> None:
    """Grow seed tasks into new instruction-output pairs with a teacher LLM (resumable)."""
    from seedling.errors import ConfigError

    opts = options("generate", config, **flags)
    if executor not in ("local", "ray"):
        raise ConfigError(f"--executor {executor!r}: choose local or ray")
    if shard is not None and (shards is not None or executor != "local"):
        raise ConfigError("--shard K/N runs one shard here; --shards N with --executor runs them all: pass one")
    if (executor == "ray" or ray_address) and shards is None:
        raise ConfigError("--executor ray and --ray-address need --shards N")
    if shard is not None:
        from generate.shards import Shard, run_shard

        run_shard(opts, out, Shard.parse(shard), new_run=new_run)
    elif shards is not None and executor == "ray":
        from generate.executors import run_ray

        if new_run:
            raise ConfigError("--new-run is not taken with --executor ray; move OUT aside or choose another --out")
        run_ray(opts, out, shards, address=ray_address)
    elif shards is not None:
        from generate.executors import run_local

        run_local(opts, out, shards, new_run=new_run)
    else:
        from generate.runner import generate

        generate(opts, out, new_run=new_run)


def register(app: typer.Typer) -> None:
    app.command("generate")(command(GenerateOptions, "generate", OWN, generate_command))

    @app.command("merge")
    def merge_command(
        run: Path = typer.Argument(..., help="Run directory whose shards to merge (the --out of the shards)."),
        shards: Optional[int] = typer.Option(None, "--shards", min=1, help="N, where shards of several N exist."),
        partial: bool = typer.Option(False, "--partial", help="Merge the complete shards even if some are missing "
                                                             "or unfinished (merge.json lists them)."),
    ) -> None:
        """Combine finished generate shards in shard order, dedup across them, write OUT/generate/generated.jsonl."""
        from generate.merge import merge

        merge(run, shards=shards, partial=partial)

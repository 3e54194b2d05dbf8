"""`seedling generate`: plugged into the core CLI through the seedling.commands entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from seedling.cli import ConfigOption, options


def register(app: typer.Typer) -> None:
    @app.command("generate")
    def generate_command(
        out: Path = typer.Option(..., "--out", help="Run directory, e.g. runs/demo (output in OUT/generate/)."),
        seeds: Optional[str] = typer.Option(None, "--seeds", help="Seed tasks file (any readable format)."),
        num: Optional[int] = typer.Option(None, "--num", help="Accepted pairs to produce (default 100)."),
        method: Optional[str] = typer.Option(None, help="self-instruct (default), evol-instruct, persona "
                                                       "(a different person's tasks each prompt) or magpie "
                                                       "(queries from the teacher alone, no seeds needed)."),
        engine: Optional[str] = typer.Option(None, help="vllm, transformers, openai or fake (default: vllm "
                                                       "if importable, else transformers)."),
        model: Optional[str] = typer.Option(None, help="Teacher: local dir or cached hub id (default: embedded "
                                                      "SmolLM2-135M-Instruct); the served name for openai; "
                                                      "the script file for fake."),
        base_url: Optional[list[str]] = typer.Option(None, "--base-url", help="OpenAI-compatible server "
                                                                             "(repeat for several)."),
        similarity: Optional[str] = typer.Option(None, help="Near-duplicate check: minhash (default) or rouge."),
        max_batches: Optional[int] = typer.Option(None, "--max-batches", help="Stop after this many teacher "
                                                  "batches in all (a rerun with a higher value goes on)."),
        steering: Optional[str] = typer.Option(None, "--steering", help="A steering.json (curate's audit): prompts "
                                                                         "ask for what the rows so far lack."),
        new_run: bool = typer.Option(False, "--new-run", help="Move an existing run with another config aside."),
        verbose: bool = typer.Option(False, "--verbose", help="Show the engine's own log lines instead of writing "
                                                              "them to OUT/generate/engine.log."),
        shard: Optional[str] = typer.Option(None, "--shard", help="Run only shard K/N of the plan (counted from 1) "
                                            "into OUT/generate/shard-K-of-N/; then `seedling merge OUT`."),
        shards: Optional[int] = typer.Option(None, "--shards", min=1, help="Run all N shards with --executor, "
                                             "then merge them."),
        executor: str = typer.Option("local", "--executor", help="Who runs --shards: local (one after another) "
                                     "or ray (one task each)."),
        ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to use (default: "
                                                  "RAY_ADDRESS, else a local one)."),
        config: Optional[Path] = ConfigOption,
    ) -> None:
        """Grow seed tasks into new instruction-output pairs with a teacher LLM (resumable)."""
        from seedling.errors import ConfigError

        opts = options("generate", config, seeds=seeds, num=num, method=method, engine=engine, model=model,
                       base_urls=base_url or None, similarity=similarity, max_batches=max_batches,
                       steering=steering, verbose=verbose or None)
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

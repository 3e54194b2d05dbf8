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
        method: Optional[str] = typer.Option(None, help="self-instruct (default) or evol-instruct."),
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
        config: Optional[Path] = ConfigOption,
    ) -> None:
        """Grow seed tasks into new instruction-output pairs with a teacher LLM (resumable)."""
        from generate.runner import generate

        opts = options("generate", config, seeds=seeds, num=num, method=method, engine=engine, model=model,
                       base_urls=base_url or None, similarity=similarity, max_batches=max_batches,
                       steering=steering, verbose=verbose or None)
        generate(opts, out, new_run=new_run)

"""The generate stage as `seedling run` calls it: coverage-guided generation in rounds.

Round k of n grows the one run directory (OUT/generate) to ceil(num * k / n) accepted rows;
between rounds the caller audits the rows so far (the curate stage) and hands back a
steering.json for the next round. All rounds share one near-duplicate pool and one teacher,
built only if some round still needs rows, so a kill at any point resumes and a finished run
loads no model. Module-level imports stay light: the orchestrator loads this through an entry
point before it knows whether generation is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from seedling.errors import ConfigError
from seedling.hashing import file_sha256

from generate.options import GenerateOptions

OPTIONS = GenerateOptions  # the `generate:` config section

if TYPE_CHECKING:
    from generate.runner import Result

AfterRound = Callable[[int, Path], Optional[Path]]


def describe(opts: GenerateOptions) -> dict[str, Any]:
    """The teacher a config names, as the run manifest records it: no engine is built (the
    embedded GGUF is converted once, if it never was)."""
    from seedling.teachers import default_engine

    engine = opts.engine or default_engine()[0]
    if engine == "openai":
        return {"engine": engine, "name": opts.model, "path": None, "revision": None, "base_urls": opts.base_urls}
    if engine == "fake":
        path = Path(opts.model or "")
        revision = "sha256:" + file_sha256(path)[:16] if path.is_file() else None
        return {"engine": engine, "name": str(path), "path": str(path), "revision": revision}
    from seedling.models import model_revision, resolve_causal_lm

    path = resolve_causal_lm(opts.model)
    return {"engine": engine, "name": opts.model or "SmolLM2-135M-Instruct (embedded)", "path": str(path),
            "revision": model_revision(Path(path)), "license": None if opts.model else "Apache-2.0"}


def round_targets(num: int, rounds: int) -> list[int]:
    """Accepted rows in all after each round: ceil(num * k / rounds)."""
    return [-(-num * k // rounds) for k in range(1, rounds + 1)]


def run(opts: GenerateOptions, out: Path, *, rounds: int = 1, after_round: AfterRound | None = None,
        console=None) -> Result:
    """Generate `opts.num` rows in `rounds` rounds. After round k < rounds, `after_round(k,
    generated.jsonl)` returns the steering file for round k+1 (None: unsteered); round 1 uses
    `opts.steering`. The returned stats list each round's target and steering file."""
    from rich.console import Console

    from generate.rundir import RunDir
    from generate.runner import generate
    from seedling.teachers.shared import SharedTeacher

    if rounds < 1:
        raise ConfigError(f"rounds must be at least 1, got {rounds}")
    console = console or Console(stderr=True)
    teacher = SharedTeacher(opts, console)
    steering, done = opts.steering, []
    try:
        for k, target in enumerate(round_targets(opts.num, rounds), start=1):
            if rounds > 1:
                console.print(f"generate round {k}/{rounds}: {target} rows in all"
                              + (f", steered by {steering}" if steering else ""))
            result = generate(opts.model_copy(update={"num": target, "steering": steering}), out,
                              console=console, teacher=teacher)
            done.append({"round": k, "target": target, "steering": steering})
            if k < rounds and after_round is not None:
                given = after_round(k, result.output)
                steering = str(given) if given is not None else None
    finally:
        teacher.close()
    result.stats["rounds"] = done
    RunDir(result.output.parent).save_stats(result.stats)
    return result

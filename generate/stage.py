"""The generate stage as `seedling run` calls it: coverage-guided generation in rounds.

Round k of n grows the one run directory (OUT/generate) to ceil(num * k / n) accepted rows;
between rounds the caller (the run's loop) audits the rows so far with the curate stage and
passes its steering.json to the next round. All rounds share one near-duplicate pool and one teacher,
built only if some round still needs rows, so a kill at any point resumes and a finished run
loads no model. Module-level imports stay light: the orchestrator loads this through an entry
point before it knows whether generation is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedling.artifacts import RoundTarget, rows_per_1k
from seedling.errors import ConfigError
from seedling.hashing import file_sha256

from generate import files
from generate.options import GenerateOptions

if TYPE_CHECKING:
    from generate.runner import Result


def round_targets(num: int, rounds: int) -> list[int]:
    """Accepted rows in all after each round: ceil(num * k / rounds)."""
    return [-(-num * k // rounds) for k in range(1, rounds + 1)]


class Rounds:
    """Coverage-guided generation one round at a time, for a caller that audits between rounds
    (the run's loop): every round grows the one run directory in `out` to its target and all
    share one teacher, built only if some round still needs rows and closed after the last
    round (or with the session). stats.json lists each round's target and steering file once
    the last round is done."""

    def __init__(self, opts: GenerateOptions, out: Path, rounds: int, console=None):
        from rich.console import Console

        from seedling.teachers.shared import SharedTeacher

        if rounds < 1:
            raise ConfigError(f"rounds must be at least 1, got {rounds}")
        self.opts, self.out, self.rounds = opts, out, rounds
        self.targets = round_targets(opts.num, rounds)
        self.console = console or Console(stderr=True)
        self.teacher = SharedTeacher(opts, self.console, log_file=Path(out) / files.DIR / files.ENGINE_LOG)
        self.done: list[RoundTarget] = []
        self.result: Result | None = None

    def grow(self, k: int, steering: str | None) -> Result:
        """Round k (from 1): grow the rows to its target, steered by `steering` (None: unsteered)."""
        from generate.runner import generate

        target = self.targets[k - 1]
        if self.rounds > 1:
            self.console.print(f"generate round {k}/{self.rounds}: {target} rows in all"
                               + (f", steered by {steering}" if steering else ""))
        self.result = generate(self.opts.model_copy(update={"num": target, "steering": steering}), self.out,
                               console=self.console, teacher=self.teacher)
        accepted = self.result.stats.accepted - sum(r.accepted for r in self.done)
        tokens = self.result.stats.tokens_out - sum(r.tokens_out for r in self.done)
        self.done.append(RoundTarget(round=k, target=target, steering=steering, accepted=accepted, tokens_out=tokens,
                                     rows_per_1k_tokens=rows_per_1k(accepted, tokens)))
        if k == self.rounds:
            from generate.rundir import RunDir

            self.teacher.close()  # before the caller's last audit: the engine's memory is free for it
            self.result.stats.rounds = list(self.done)
            RunDir(self.result.output.parent).save_stats(self.result.stats)
        return self.result

    def __enter__(self) -> Rounds:
        return self

    def __exit__(self, *_) -> None:
        self.teacher.close()


class GenerateStage:
    """The generate plugin (seedling.run.layout.GeneratePlugin)."""

    OPTIONS = GenerateOptions  # the `generate:` config section
    OUTPUTS = files.OUTPUTS  # the files it writes, by role (seedling.run.layout)
    DIR = files.DIR
    Rounds = Rounds
    round_targets = staticmethod(round_targets)

    def describe(self, opts: GenerateOptions) -> dict[str, Any]:
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


STAGE = GenerateStage()

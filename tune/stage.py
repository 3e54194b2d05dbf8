"""The tune stage as one call for `seedling run`: it trains several students on the same
held-out set and re-runs after an interruption, so a finished run is returned from disk and
an unfinished one resumes. Heavy imports wait until the call (the runner loads every stage
through an entry point)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seedling.artifacts import Judged, TuneEval
from tune import files
from tune.options import TuneOptions


class TuneStage:
    """The tune plugin (seedling.run.layout.TunePlugin)."""

    OPTIONS = TuneOptions  # the `tune:` config section
    OUTPUTS = files.OUTPUTS  # the files it writes, by role (seedling.run.layout)

    def describe(self, opts: TuneOptions) -> dict[str, Any]:
        """The student a config names, as the run manifest records it (nothing is loaded)."""
        from seedling.models import model_revision, resolve_causal_lm

        path = resolve_causal_lm(opts.student)
        return {"name": opts.student or "SmolLM2-135M-Instruct (embedded)", "path": str(path),
                "revision": model_revision(path), "license": None if opts.student else "Apache-2.0"}

    def run(self, data: Path, out: Path, opts: TuneOptions, *, eval_file: Path | None = None,
            train_rows: int | None = None, max_steps: int | None = None, base_cache: Path | None = None) -> TuneEval:
        """Train (or resume, or return the finished run in `out`) and return its evaluation (eval.json).
        A directory that holds a different config is refused, as by `seedling tune`. Students
        given one `base_cache` folder compute the base model's side of their evaluation once."""
        from seedling.config import build_section
        from tune.run import IDENTITY_FILE, finished, prepare, run_prepared

        overrides = {"eval_file": str(eval_file) if eval_file is not None else None,
                     "train_rows": train_rows, "max_steps": max_steps}
        opts = build_section("tune", opts.model_dump(), overrides)  # validated, None = keep
        prep = prepare(Path(data), opts)
        out = Path(out)
        # another config, or stray checkpoints, are refused by run_prepared
        return finished(out, prep.identity) or run_prepared(prep, out, opts, resume=(out / IDENTITY_FILE).exists(),
                                                            base_cache=base_cache)

    def judge(self, held: Path, a: Path, b: Path, opts: TuneOptions, names: tuple[str, str]) -> Judged:
        """Two of a run's students (tune run directories, called `names`) compared by the judge
        `opts` names, on the held-out instructions, both orders (tune/compare.py); every verdict
        and answer is returned, with `line`, the sentence that says what they show."""
        from tune.compare import judge_students, summary_line

        result = judge_students(held, str(a / files.ADAPTER), str(b / files.ADAPTER), opts)
        result.line = summary_line(result.summary, *names)
        return result


STAGE = TuneStage()

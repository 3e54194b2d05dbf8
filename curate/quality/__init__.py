"""Heuristic quality score per row: 1 minus the weights of the checks it fails (floored at 0);
the failed checks become the row's `flags`. A new check is one small module with a
`(record) -> bool` function and one line in CHECKS."""

from __future__ import annotations

from curate.quality.echo import echoes_instruction
from curate.quality.length import no_content, too_long
from curate.quality.refusal import refusal
from curate.quality.repetition import repetitive
from curate.quality.unanswered import unanswered
from seedling.record import Record

CHECKS = {
    "refusal": (refusal, 0.6),
    "unanswered": (unanswered, 0.6),
    "echoes_instruction": (echoes_instruction, 0.5),
    "repetitive": (repetitive, 0.4),
    "no_content": (no_content, 0.6),
    "too_long": (too_long, 0.2),
}


def not_run(scorers_ran) -> dict[str, str]:
    """The quality checks that did not run, and why (`scorers_ran`: the model scorers that did)."""
    missing = {"language_id": "no offline language-ID model is shipped"}
    if "judge" not in scorers_ran:
        missing["llm_judge"] = "off: no judge model named; --judge-model turns it on"
    return missing


def score(record: Record) -> tuple[float, list[str]]:
    flags = [name for name, (check, _) in CHECKS.items() if check(record)]
    return round(max(0.0, 1.0 - sum(CHECKS[f][1] for f in flags)), 2), flags

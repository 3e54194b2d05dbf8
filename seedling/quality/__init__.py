"""Heuristic quality score per row: 1 minus the weights of the checks it fails (floored at 0);
the failed checks become the row's `flags`. curate scores every row with them and can drop
those below `min_quality`; generate, given its own `min_quality`, rejects such answers as they
come, so that a row the audit would drop does not take a place in the round (and, steered, the
seed task it was to cover stays open for another). A new check is one small module with a `(record) -> bool` function and
one line in CHECKS."""

from __future__ import annotations

from seedling.quality.echo import echoes_instruction
from seedling.quality.length import no_content, too_long
from seedling.quality.refusal import refusal
from seedling.quality.repetition import repetitive
from seedling.quality.unanswered import unanswered
from seedling.record import Record

CHECKS = {
    "refusal": (refusal, 0.6),
    "unanswered": (unanswered, 0.6),
    "echoes_instruction": (echoes_instruction, 0.5),
    "repetitive": (repetitive, 0.4),
    "no_content": (no_content, 0.6),
    "too_long": (too_long, 0.2),
}


def score(record: Record) -> tuple[float, list[str]]:
    flags = [name for name, (check, _) in CHECKS.items() if check(record)]
    return round(max(0.0, 1.0 - sum(CHECKS[f][1] for f in flags)), 2), flags

"""Which steering hints narrowed the round they steered. A hint's rows (those whose prompt
quoted it, from `meta.steering.hints`) narrowed the round when leaving them out raises the
round's Vendi score per row more than leaving out as many random rows of the round does in
RANK_SHARE of draws: they added less width per row than rows picked at random. (Leaving any
rows out tends to raise Vendi per row, so the comparison is with random rows, not with the
whole round.)"""

from __future__ import annotations

import numpy as np

from curate.diversity.scores import pairwise
from seedling.record import Record
from seedling.run.rounds import HintEffect
from seedling.steering import DroppedHint, SteeringFile

DRAWS = 50
RANK_SHARE = 0.8
MIN_ROWS = 2  # a hint with fewer rows says nothing either way


def _per_row(x: np.ndarray, among: np.ndarray) -> float | None:
    return pairwise(x, len(x), among).get("vendi_per_row")


def hint_effects(rows: list[Record], vectors, seed: int = 0) -> list[HintEffect]:
    """One line per hint the round's prompts quoted: its rows, the round's Vendi per row with
    and without them, and whether it narrowed the round."""
    x = np.asarray(vectors)
    by_hint: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        for hint in (row.meta.get("steering") or {}).get("hints", []):
            by_hint.setdefault(hint, []).append(i)
    everyone = np.arange(len(rows))
    whole = _per_row(x, everyone)
    rng = np.random.default_rng(seed)
    effects = []
    for hint, idx in by_hint.items():
        rest = np.setdiff1d(everyone, idx)
        if len(idx) < MIN_ROWS or len(rest) < 2 or whole is None:
            effects.append(HintEffect(hint=hint, rows=len(idx)))
            continue
        without = _per_row(x, rest)
        random_out = [_per_row(x, np.sort(rng.choice(everyone, len(rest), replace=False))) for _ in range(DRAWS)]
        beaten = float(np.mean([without > r for r in random_out]))
        effects.append(HintEffect(hint=hint, rows=len(idx), vendi_per_row_with=whole, vendi_per_row_without=without,
                                  narrowed=beaten >= RANK_SHARE))
    return effects


def drop_narrowing(steering: SteeringFile, effects: list[HintEffect]) -> list[DroppedHint]:
    """Take the hints that narrowed their round out of `steering` (changed in place) and list
    them under `dropped_hints`; returns that list."""
    narrowed = {e.hint for e in effects if e.narrowed}
    steering.missing_topics = [t for t in steering.missing_topics if t.request not in narrowed]
    steering.under_represented_groups = [g for g in steering.under_represented_groups if g.request not in narrowed]
    steering.dropped_hints = [DroppedHint(hint=e.hint, rows=e.rows, vendi_per_row_with=e.vendi_per_row_with,
                                          vendi_per_row_without=e.vendi_per_row_without)
                              for e in effects if e.narrowed]
    return steering.dropped_hints

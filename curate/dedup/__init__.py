"""Dedup in switchable tiers, each run on the rows the earlier ones kept. A new tier is one
module with `run(ctx, alive) -> TierOutcome` and one line in TIERS. Template variants and
conflicts the tiers find are kept unless their policy says otherwise (`policy.py`)."""

from __future__ import annotations

import time

from curate.dedup import exact, near, policy, semantic
from curate.dedup.context import DedupContext
from curate.dedup.keep_policy import POLICY, keep_priority
from curate.dedup.result import DedupResult, Removal, TierOutcome

TIERS = {
    "exact": exact.run,
    "near": near.run,
    "semantic": semantic.run,
}

__all__ = ["POLICY", "TIERS", "DedupContext", "DedupResult", "Removal", "TierOutcome", "deduplicate", "keep_priority"]


def deduplicate(ctx: DedupContext, tiers: list[str], alive: list[int]) -> DedupResult:
    outcomes = []
    alive = list(alive)
    for name in TIERS:
        if name not in tiers:
            continue
        started = time.perf_counter()
        outcome = TIERS[name](ctx, alive) if len(alive) > 1 else TierOutcome(name, len(alive), [])
        outcome.seconds = round(time.perf_counter() - started, 3)
        gone = {r.index for r in outcome.removals}
        alive = [i for i in alive if i not in gone]
        outcomes.append(outcome)
    found = DedupResult(outcomes, ctx.priority)
    if ctx.options.template_variants == "remove":
        outcomes.append(_timed(policy.variants, ctx, found.variants, alive))
        gone = {r.index for r in outcomes[-1].removals}
        alive = [i for i in alive if i not in gone]
    if ctx.options.conflicts == "keep-one":
        outcomes.append(_timed(policy.conflicts, ctx, found.conflicts, alive))
    return DedupResult(outcomes, ctx.priority)


def _timed(step, ctx: DedupContext, found, alive: list[int]) -> TierOutcome:
    started = time.perf_counter()
    outcome = step(ctx, found, set(alive))
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome

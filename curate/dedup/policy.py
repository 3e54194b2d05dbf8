"""What happens to the sameness that is not duplication. Template variants are kept by
default (T0/FLAN-style sets use several templates on purpose) and conflicts are kept and
flagged; each policy, when asked, removes all but the row the keep policy prefers."""

from __future__ import annotations

from curate.dedup.context import DedupContext
from curate.dedup.result import Removal, TierOutcome, resolve_pairs


def variants(ctx: DedupContext, pairs: list[tuple[int, int, float]], alive: set[int]) -> TierOutcome:
    live = [p for p in pairs if p[0] in alive and p[1] in alive]
    removals = resolve_pairs(live, ctx.priority, "variant",
                             lambda _r, _k, _s: "template variant: the same example and answer under another template")
    return TierOutcome("variant", len(alive), removals, {"policy": "remove", "pairs": len(live)})


def conflicts(ctx: DedupContext, groups: list[list[int]], alive: set[int]) -> TierOutcome:
    removals = []
    for group in groups:
        keep, *rest = [i for i in sorted(group, key=lambda i: ctx.priority[i]) if i in alive] or [None]
        removals += [Removal(i, "conflict", keep, None, "conflict: the same prompt with another answer; "
                                                        "the preferred row's answer is kept") for i in rest]
    return TierOutcome("conflict", len(alive), removals, {"policy": "keep-one", "groups": len(groups)})

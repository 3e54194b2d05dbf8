"""Tier 1: the same normalised prompt (instruction + input). With the same answer it is the
same row again: all but one go. With different answers it is a conflict: the rows are kept
(and flagged) by default, since a prompt with several answers is a fact about the data a
person should see, not a copy."""

from __future__ import annotations

from itertools import compress

import pandas as pd

from curate.dedup.context import DedupContext
from curate.dedup.result import Removal, TierOutcome


def run(ctx: DedupContext, alive: list[int]) -> TierOutcome:
    keys, answers = ctx.anatomy.keys, ctx.anatomy.answer_keys  # digests of the normalised texts
    groups: dict[bytes, dict[bytes, list[int]]] = {}
    repeated = pd.Series([keys[i] for i in alive], dtype=object).duplicated(keep=False).to_numpy()
    for i in compress(alive, repeated):  # a prompt no other row has makes no group
        groups.setdefault(keys[i], {}).setdefault(answers[i], []).append(i)
    removals, conflicts = [], []
    for by_answer in groups.values():
        survivors = []
        for members in by_answer.values():
            keep, *rest = sorted(members, key=lambda i: ctx.priority[i])
            survivors.append(keep)
            removals += [Removal(i, "exact", keep, 1.0, "exact: same normalised prompt and answer") for i in rest]
        if len(survivors) > 1:
            conflicts.append(sorted(survivors, key=lambda i: ctx.priority[i]))
    return TierOutcome("exact", len(alive), removals,
                       {"fields": "instruction + input, then output",
                        "groups": sum(len(m) > 1 for g in groups.values() for m in g.values()),
                        "conflict_groups": len(conflicts)}, conflicts=conflicts)

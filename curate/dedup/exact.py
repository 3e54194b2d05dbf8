"""Tier 1: the same normalised instruction + input (optionally + output) is the same task."""

from __future__ import annotations

from curate.dedup.context import DedupContext
from curate.dedup.result import Removal, TierOutcome
from seedling.text import normalize, text_hash


def key(record, include_output: bool) -> str:
    parts = [record.instruction, record.input] + ([record.output] if include_output else [])
    return text_hash("\x1f".join(normalize(p) for p in parts))


def run(ctx: DedupContext, alive: list[int]) -> TierOutcome:
    include_output = ctx.options.exact_include_output
    groups: dict[str, list[int]] = {}
    for i in alive:
        groups.setdefault(key(ctx.records[i], include_output), []).append(i)
    fields = "instruction + input + output" if include_output else "instruction + input"
    removals = []
    for members in groups.values():
        keep, *rest = sorted(members, key=lambda i: ctx.priority[i])
        removals += [Removal(i, "exact", keep, 1.0, f"exact: same normalised {fields}") for i in rest]
    return TierOutcome("exact", len(alive), removals, {"fields": fields, "groups": sum(len(m) > 1 for m in groups.values())})

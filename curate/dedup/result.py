"""What dedup decided, row by row, with the reason: nothing is removed without one. Besides
removals, a tier reports the sameness that is kept by default: template variants (pairs) and
conflicts (one prompt, several answers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Removal:
    index: int
    tier: str
    dup_of: int | None
    score: float | None
    reason: str


@dataclass
class TierOutcome:
    name: str
    checked: int
    removals: list[Removal]
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    variants: list[tuple[int, int, float]] = field(default_factory=list)
    conflicts: list[list[int]] = field(default_factory=list)
    redecide: Callable[[float], list[Removal]] | None = None  # the removals at another threshold


@dataclass
class DedupResult:
    """Per tier: rows checked, rows removed (each with `dup_of` and a reason) and the figures
    behind the decision (e.g. the semantic similarity distribution and borderline pairs)."""

    tiers: list[TierOutcome]
    priority: list[int] = field(default_factory=list)

    @property
    def removals(self) -> list[Removal]:
        return [r for t in self.tiers for r in t.removals]

    @property
    def variants(self) -> list[tuple[int, int, float]]:
        return [p for t in self.tiers for p in t.variants]

    @property
    def conflicts(self) -> list[list[int]]:
        return [g for t in self.tiers for g in t.conflicts]

    def removed_indices(self) -> set[int]:
        return {r.index for r in self.removals}

    def tier(self, name: str) -> TierOutcome | None:
        return next((t for t in self.tiers if t.name == name), None)

    def rethreshold(self, threshold: float) -> DedupResult:
        """Each tier that keeps its scored pairs (the semantic one) decided again at another
        threshold, without embedding again; its pairs were kept down to 0.1 below the original
        threshold, so go no lower than that."""
        tiers = [t if t.redecide is None else
                 replace(t, removals=t.redecide(threshold),
                         details={**t.details, "threshold": threshold, "threshold_from": "rethreshold"})
                 for t in self.tiers]
        return DedupResult(tiers, self.priority)


def resolve_pairs(pairs, priority: list[int], tier: str, describe) -> list[Removal]:
    """Greedy in keep order: a row goes when a row already kept is its confirmed duplicate
    (the closest such row becomes `dup_of`). Unlike union-find, a chain a~b~c never removes
    c for a row it does not itself resemble. `describe(row, kept, score)` gives the reason."""
    partners: dict[int, list[tuple[int, float]]] = {}
    for i, j, score in pairs:
        partners.setdefault(i, []).append((j, score))
        partners.setdefault(j, []).append((i, score))
    kept: set[int] = set()
    removals = []
    for row in sorted(partners, key=lambda r: priority[r]):
        matches = [(j, s) for j, s in partners[row] if j in kept]
        if matches:
            j, score = max(matches, key=lambda m: m[1])
            removals.append(Removal(row, tier, j, round(float(score), 4), describe(row, j, score)))
        else:
            kept.add(row)
    return removals

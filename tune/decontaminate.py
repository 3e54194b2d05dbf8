"""Keep the held-out set out of training: a student that saw an eval question (or a light
rewording of it) scores well for the wrong reason, and a curated-vs-raw comparison would
measure leakage instead of data quality. Every removal is reported with the row it matched.

Exact: same normalised question (instruction + input), whatever the answer; or the same
normalised instruction where one of the two rows has no input (the instruction is then the
whole question; a shared generic instruction over different inputs is not the same task).
Near: word 3-gram Jaccard of instruction + input, proposed by MinHash LSH (rensa) and
confirmed on the exact shingle sets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from seedling.nearindex import NearIndex
from seedling.record import Record
from seedling.text import jaccard, normalize, preview, shingles

SHINGLE = "word 3-grams"


@dataclass(frozen=True)
class Overlap:
    """One training row removed, and the held-out row it matched."""

    train_id: str
    eval_id: str
    kind: str  # exact | near
    score: float
    train: str
    eval: str


@dataclass
class Decontamination:
    kept: list[Record]
    removed: list[Overlap]
    threshold: float

    def report(self, examples: int = 8) -> dict:
        return {
            "exact": sum(o.kind == "exact" for o in self.removed),
            "near": sum(o.kind == "near" for o in self.removed),
            "threshold": self.threshold,
            "shingle": SHINGLE,
            "examples": [asdict(o) for o in self.removed[:examples]],
        }


class _ExactIndex:
    """Held-out rows by normalised question, by instruction, and by instruction of the rows
    that have no input (the only ones a training row with an input can match on instruction)."""

    def __init__(self, held: list[Record]):
        self.question: dict[str, Record] = {}
        self.instruction: dict[str, Record] = {}
        self.bare_instruction: dict[str, Record] = {}
        for r in held:
            self.question.setdefault(normalize(f"{r.instruction}\n{r.input}"), r)
            self.instruction.setdefault(normalize(r.instruction), r)
            if not r.input:
                self.bare_instruction.setdefault(normalize(r.instruction), r)

    def match(self, r: Record) -> Record | None:
        found = self.question.get(normalize(f"{r.instruction}\n{r.input}"))
        if found is None:
            found = (self.bare_instruction if r.input else self.instruction).get(normalize(r.instruction))
        return found


def decontaminate(train: list[Record], held: list[Record], threshold: float) -> Decontamination:
    """Training rows that overlap no held-out row (in their order), and the ones removed."""
    if not held:
        return Decontamination(list(train), [], threshold)
    exact = _ExactIndex(held)
    near = NearIndex(threshold)  # bands for recall >= 0.99 at the threshold: recall matters more than speed
    for i, r in enumerate(held):
        near.insert(i, shingles(f"{r.instruction} {r.input}"))

    kept, removed = [], []
    for r in train:
        match = exact.match(r)
        if match is not None:
            removed.append(Overlap(r.id, match.id, "exact", 1.0, preview(r.prompt), preview(match.prompt)))
            continue
        found = near.near(shingles(f"{r.instruction} {r.input}"))
        if found:
            j, score = found[0]  # the best score; ties: the earliest held row
            match = held[j]
            removed.append(Overlap(r.id, match.id, "near", round(score, 4), preview(r.prompt), preview(match.prompt)))
        else:
            kept.append(r)
    return Decontamination(kept, removed, threshold)

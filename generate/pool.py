"""The instruction pool: seeds plus accepted rows, with the near-duplicate index over them."""

from __future__ import annotations

from seedling.record import Record

from generate.similarity import SimilarityIndex


class Pool:
    def __init__(self, seeds: list[Record], index: SimilarityIndex):
        self.seeds = _unique_instructions(seeds)
        self.generated: list[Record] = []
        self.ids: set[str] = set()
        self.index = index
        for r in self.seeds:
            index.add(r.instruction)

    def accept(self, record: Record) -> None:
        """Add an accepted row. Its instruction is already in the index (added when screened)."""
        self.generated.append(record)
        self.ids.add(record.id)

    def restore(self, record: Record) -> None:
        """A row read back from the shards of an interrupted run."""
        self.index.add(record.instruction)
        self.accept(record)

    @property
    def everything(self) -> list[Record]:
        return self.seeds + self.generated


def _unique_instructions(records: list[Record]) -> list[Record]:
    """Seed files often hold several instances of one task; the pool needs each task once."""
    seen: dict[str, Record] = {}
    for r in records:
        seen.setdefault(r.instruction, r)
    return list(seen.values())

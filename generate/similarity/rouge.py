"""Self-Instruct's own near-duplicate check: ROUGE-L (seedling.rouge) against every
instruction in the pool."""

from __future__ import annotations

from seedling.rouge import near_any, tokens


class RougeAllPairs:
    """Compare a candidate with every instruction in the pool (the paper's check)."""

    name = "rouge"

    def __init__(self, threshold: float = 0.7):
        self.threshold = threshold
        self.pool: list[list[str]] = []

    def __len__(self) -> int:
        return len(self.pool)

    def add(self, text: str) -> None:
        self.pool.append(tokens(text))

    def is_duplicate(self, text: str) -> bool:
        return near_any(tokens(text), self.pool, self.threshold)

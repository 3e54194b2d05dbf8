"""Near-duplicate checks against the whole pool (seeds + accepted instructions).

`minhash` (default) stays fast at 100K instructions; `rouge` is the paper's all-pairs
ROUGE-L check, kept for comparison. Both answer the same question with the same threshold.
"""

from __future__ import annotations

from typing import Protocol

from seedling.errors import ConfigError


class SimilarityIndex(Protocol):
    name: str

    def add(self, text: str) -> None: ...

    def is_duplicate(self, text: str) -> bool: ...

    def __len__(self) -> int: ...


def make_index(kind: str, threshold: float = 0.7) -> SimilarityIndex:
    if kind == "minhash":
        from generate.similarity.minhash import MinHashIndex

        return MinHashIndex(threshold)
    if kind == "rouge":
        from generate.similarity.rouge import RougeAllPairs

        return RougeAllPairs(threshold)
    raise ConfigError(f"unknown similarity check {kind!r}; choose minhash or rouge")

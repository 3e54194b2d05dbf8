"""What every tier sees: the rows, the options, the keep order, the shared embeddings and
what each prompt is made of (measured once, over the whole dataset)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from curate.dedup.align import Known
from curate.dedup.prompts import Anatomy, analyse
from curate.dedup.shared_context import Passages
from curate.options import CurateOptions
from curate.vectors import FieldVectors
from seedling.record import Record


@dataclass
class DedupContext:
    records: list[Record]
    options: CurateOptions
    priority: list[int]
    vectors: FieldVectors | None
    embedder: Any = None
    executor: Any = None  # a RayExecutor computes the MinHash signatures on its cluster
    known: Known = field(default_factory=Known)  # pairs an earlier tier aligned, by their measures

    @cached_property
    def anatomy(self) -> Anatomy:
        return analyse(self.records)

    @cached_property
    def passages(self) -> Passages:
        """Every row's shared passage, found once for the bias step and dedup's audit."""
        return Passages(self.anatomy)

"""What every tier sees: the rows, the options, the keep order and the shared embeddings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

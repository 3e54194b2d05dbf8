"""What an importer sees: one raw row, and ways to fail that name the file and the place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedling.errors import DataError
from seedling.record import Record, make_record


def folded(name):
    """A field name as every format here spells it: a spreadsheet's "Prompt" or " Response " is
    `prompt` or `response`. A name that is not text stays as it is."""
    return name.strip().lower() if isinstance(name, str) else name


@dataclass
class Row:
    data: dict[str, Any]
    path: Path | None = None
    where: str | None = None

    def fail(self, problem: str) -> DataError:
        return DataError(self.path, self.where, problem)

    def require(self, key: str) -> Any:
        if key not in self.data or self.data[key] is None:
            raise self.fail(f"missing field {key!r}")
        return self.data[key]

    def rest(self, *used: str) -> dict[str, Any]:
        """Fields the format has and the contract does not: kept in meta, never dropped.
        The file's own `id` becomes `source_id`, as `id` means the content hash here."""
        return {("source_id" if k == "id" else k): v for k, v in self.data.items() if k not in used}

    def record(self, **fields: Any) -> Record:
        return make_record(**fields, path=self.path, where=self.where)

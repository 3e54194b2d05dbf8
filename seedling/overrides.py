"""overrides.jsonl: the keep / remove / note decisions a person made on rows, by row id.

`seedling view` writes it and `seedling curate` reads it, so its format lives once here. Each
line is one decision; a later line about the same row replaces an earlier one. Exact copies
share a content id, so a decision also names which copy it is about (`occurrence`: how many rows with
that id come before it in curate's input): keeping one of 50 removed copies brings back that
one, not all 50. A decision without `occurrence` is about every copy. Writers hold an
exclusive lock on a sidecar file and replace the whole file atomically, so two browser tabs,
two servers or a curate reading at the same moment never see half a line."""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from seedling.errors import DataError
from seedling.formats.atomic import write_text

OVERRIDES = "overrides.jsonl"


class Decision(BaseModel):
    id: str
    action: Literal["keep", "remove", "note"]
    note: str = ""
    at: float = 0.0  # seconds since the epoch, when it was made
    occurrence: int | None = None  # which row of those sharing the id (input order); None: all of them

    @property
    def key(self) -> str:
        return key(self.id, self.occurrence)


def key(row_id: str, occurrence: int | None = None) -> str:
    """A decision's key: the content id, and the occurrence when it names one."""
    return row_id if occurrence is None else f"{row_id}#{occurrence}"


def find(decisions: dict[str, Decision], row_id: str, occurrence: int) -> Decision | None:
    """The decision about one row: about that occurrence, else about every copy of its content."""
    return decisions.get(key(row_id, occurrence)) or decisions.get(row_id)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _lines(path: Path) -> list[Decision]:
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Decision.model_validate_json(line))
        except ValidationError as e:
            problem = e.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            raise DataError(path, f"line {n}", f"not a decision ({where}: {problem['msg']})") from None
    return out


def read(path: Path) -> dict[str, Decision]:
    """By key, each row's latest keep or remove (or `note` when it has only notes) with its
    latest note: a note added after a keep does not undo the keep. A missing file: no decisions."""
    out: dict[str, Decision] = {}
    for d in _lines(path):
        before = out.get(d.key)
        action = d.action if d.action != "note" or before is None else before.action
        note = d.note or (before.note if before else "")
        out[d.key] = d.model_copy(update={"action": action, "note": note})
    return out


def record(path: Path, ids: list[str], action: str, note: str = "",
           occurrences: list[int | None] | None = None) -> list[Decision]:
    """Append one decision per id (about its occurrence `occurrences[k]`, or every copy), under
    the lock, replacing the file whole."""
    at = round(time.time(), 3)
    made = [Decision(id=i, action=action, note=note, at=at, occurrence=c)
            for i, c in zip(ids, occurrences or [None] * len(ids), strict=True)]
    with _locked(path):
        kept = _lines(path) + made
        write_text(path, "".join(json.dumps(d.model_dump(), ensure_ascii=False) + "\n" for d in kept))
    return made

"""A person's decisions (overrides.jsonl, written by `seedling view`) applied to a curate
result: a row they kept leaves the removed rows, a row they removed leaves the kept ones, and
the audit counts both as decisions made by a person, not by a rule."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from seedling.hashing import file_sha256
from seedling.overrides import Decision, read
from seedling.record import Record

SHOWN = 50  # decisions the audit quotes
RULE_COLUMNS = ("removed_by", "reason", "dup_of", "score")


def _decided(row: Record, d: Decision, removed: bool) -> Record:
    """The row as the decision leaves it; what the rule had said stays under `decision`."""
    extra = {k: v for k, v in row.extra.items() if not (d.action == "keep" and k in RULE_COLUMNS)}
    said = {"action": d.action, "by": "person", "note": d.note, "at": d.at}
    if d.action == "keep" and removed:
        said["rule"] = {k: row.extra[k] for k in RULE_COLUMNS if k in row.extra}
    if d.action == "remove" and not removed:
        extra.update(removed_by="person", reason="removed by a person" + (f": {d.note}" if d.note else ""))
    return replace(row, extra={**extra, "decision": said})


def _split(rows: list[Record], removed: bool, decisions: dict[str, Decision]) -> tuple[list[Record], list[Record]]:
    """(rows that end kept, rows that end removed) of one side, each decided row rewritten."""
    kept, gone = [], []
    for row in rows:
        d = decisions.get(row.id)
        row = _decided(row, d, removed) if d else row
        ends_removed = (d.action == "remove") if d and d.action != "note" else removed
        (gone if ends_removed else kept).append(row)
    return kept, gone


def _figures(path: Path, decisions: dict[str, Decision], moved: dict[str, list[Record]], seen: set[str]) -> dict:
    quoted = [{"id": r.id, "action": r.extra["decision"]["action"], "note": r.extra["decision"]["note"],
               "instruction": r.instruction[:200], "rule": r.extra["decision"].get("rule")}
              for rows in moved.values() for r in rows][:SHOWN]
    return {"file": str(path), "sha256": file_sha256(path), "decisions": len(decisions),
            "kept_by_person": len(moved["kept"]), "removed_by_person": len(moved["removed"]),
            "notes": sum(1 for d in decisions.values() if d.note),
            "not_in_data": len(set(decisions) - seen), "rows": quoted}


def apply(result: Any, path: Path) -> None:
    """Apply the decisions in `path` (if any) to a CurateResult in place."""
    decisions = read(path)
    if not decisions:
        return
    kept_a, removed_a = _split(result.kept, False, decisions)
    kept_b, removed_b = _split(result.removed, True, decisions)
    by_id = {r.id: r for r in kept_a + removed_a + kept_b + removed_b}
    moved = {"kept": kept_b, "removed": removed_a}
    result.kept, result.removed = kept_a + kept_b, removed_a + removed_b
    result.rows = [by_id.get(r.id, r) for r in result.rows]
    if result.selected is not None:
        result.selected = [r for r in result.selected if r.id not in {g.id for g in removed_a}]
    result.audit.kept, result.audit.removed = len(result.kept), len(result.removed)
    result.audit.overrides = _figures(path, decisions, moved, {r.id for r in result.rows})

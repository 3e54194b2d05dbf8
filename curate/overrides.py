"""A person's decisions (overrides.jsonl, written by `seedling view`) applied to a curate
result: a row they kept leaves the removed rows, a row they removed leaves the kept ones, and
the audit counts both as decisions made by a person, not by a rule."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from seedling.hashing import file_sha256
from seedling.overrides import Decision, find, key, read
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


def occurrences(rows: list[Record]) -> dict[int, int]:
    """Each row (by object) with how many rows of its content id come before it: exact copies
    share the id, and a person decides on one of them."""
    seen: Counter[str] = Counter()
    out = {}
    for r in rows:
        out[id(r)] = seen[r.id]
        seen[r.id] += 1
    return out


def _split(rows: list[Record], removed: bool, decisions: dict[str, Decision], nth: dict[int, int],
           swap: dict[int, Record]) -> tuple[list[Record], list[Record]]:
    """(rows that end kept, rows that end removed) of one side; each decided row rewritten, the
    rewrite noted in `swap` under the original row."""
    kept, gone = [], []
    for row in rows:
        d = find(decisions, row.id, nth[id(row)])
        if d:
            swap[id(row)] = _decided(row, d, removed)
            row = swap[id(row)]
        ends_removed = (d.action == "remove") if d and d.action != "note" else removed
        (gone if ends_removed else kept).append(row)
    return kept, gone


def _figures(path: Path, decisions: dict[str, Decision], moved: dict[str, list[Record]], seen: set[str]) -> dict:
    """`seen`: the keys a decision about a row of the data can have."""
    quoted = [{"id": r.id, "action": r.extra["decision"]["action"], "note": r.extra["decision"]["note"],
               "instruction": r.instruction[:200], "rule": r.extra["decision"].get("rule")}
              for rows in moved.values() for r in rows][:SHOWN]
    return {"file": str(path), "sha256": file_sha256(path), "decisions": len(decisions),
            "kept_by_person": len(moved["kept"]), "removed_by_person": len(moved["removed"]),
            "notes": sum(1 for d in decisions.values() if d.note),
            "not_in_data": len(set(decisions) - seen), "rows": quoted}


def apply(result: Any, path: Path) -> None:
    """Apply the decisions in `path` (if any) to a CurateResult in place; its rows stay one
    object a row, so the kept and removed lines still say which input row they are."""
    decisions = read(path)
    if not decisions:
        return
    read_rows = {id(r) for r in result.rows}
    made = [r for r in result.kept + result.removed if id(r) not in read_rows]
    nth = occurrences(result.rows + made)  # rows curate made (counterfactual copies) after the input's
    swap: dict[int, Record] = {}
    kept_a, removed_a = _split(result.kept, False, decisions, nth, swap)
    kept_b, removed_b = _split(result.removed, True, decisions, nth, swap)
    seen = {k for r in result.rows + made for k in (r.id, key(r.id, nth[id(r)]))}
    moved = {"kept": kept_b, "removed": removed_a}
    result.kept, result.removed = kept_a + kept_b, removed_a + removed_b
    result.rows = [swap.get(id(r), r) for r in result.rows]
    if result.selected is not None:
        now_removed = {id(r) for r in removed_a}
        result.selected = [r for r in result.selected if id(swap.get(id(r), r)) not in now_removed]
    result.audit.kept, result.audit.removed = len(result.kept), len(result.removed)
    result.audit.overrides = _figures(path, decisions, moved, seen)

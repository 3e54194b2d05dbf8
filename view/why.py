"""Why a row was kept or removed: its scores and their parts, its flags, the row it duplicates
beside it with the words that differ marked, its nearest rows with their cosines, and the groups
it belongs to (the rows removed as copies of it, and the shared-passage, template-variant and
conflict groups curate recorded)."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from view.nearest import Nearest
from view.query import Store

TOKEN = re.compile(r"\s+|[^\s]+")


def diff(a: str, b: str) -> tuple[list[list[str]], list[list[str]]]:
    """Both texts as [kind, text] pieces, kind "same" or "diff", word by word."""
    left, right = TOKEN.findall(a), TOKEN.findall(b)
    out_a, out_b = [], []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        kind = "same" if op == "equal" else "diff"
        if i2 > i1:
            out_a.append([kind, "".join(left[i1:i2])])
        if j2 > j1:
            out_b.append([kind, "".join(right[j1:j2])])
    return out_a, out_b


def _pair(row: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    fields = {}
    for name in ("instruction", "input", "output"):
        mine, theirs = diff(row[name], other[name])
        fields[name] = {"row": mine, "other": theirs, "equal": row[name] == other[name]}
    return {"other": other, "fields": fields}


KINDS = {"passage": "rows sharing this passage (each asks something else; all kept by default)",
         "variants": "template variants: the same example and answer under other templates",
         "conflict": "a conflict: the same prompt with other answers",
         "pool": "a pool of answers: the same prompt answered by other models or ranked replies"}


def _group(store: Store, title: str, condition: str, args: list[Any], row: dict[str, Any]) -> dict[str, Any] | None:
    members, rows = store.rows_where(condition, args)
    own = [row["id"], row["occurrence"]]
    others = [m for m in members if m != own]
    if not others:
        return None
    return {"title": title, "total": len(others), "members": members,
            "rows": [r for r in rows if [r["id"], r["occurrence"]] != own]}


def _kept_groups(store: Store, row: dict[str, Any]) -> list[dict[str, Any] | None]:
    """The shared-passage, template-variant and conflict groups curate recorded for this row."""
    if row.get("input_row") is None:
        return []
    return [_group(store, f"{KINDS.get(g['kind'], g['kind'])}: {g['about']}",
                   "input_row IN (SELECT input_row FROM groups WHERE g = ?)", [g["g"]], row)
            for g in store.groups_of(row["input_row"])]


def _nearest(store: Store, nearest: Nearest, row: dict[str, Any]) -> list[dict[str, Any]]:
    if row.get("input_row") is None:
        return []
    found = nearest.of(row["input_row"])
    rows = store.at_input_rows([r for r, _ in found])
    return [{"row": rows[r], "cosine": cos} for r, cos in found if r in rows]


def explain(store: Store, nearest: Nearest, n: int) -> dict[str, Any] | None:
    row = store.row(n)
    if row is None:
        return None
    scores = {s: row.get(s) for s in store.scores if row.get(s) is not None}
    parts = json.loads(row["sel_parts"]) if row.get("sel_parts") else {}
    dup = store.row_by_id(row["dup_of"]) if row.get("dup_of") else None
    chosen = store.row_by_id(row["nearest_chosen"]) if row.get("nearest_chosen") else None
    groups = [_group(store, "removed as copies of this row", "dup_of = ?", [row["id"]], row),
              *_kept_groups(store, row)]
    return {"row": row, "scores": scores, "parts": parts, "meta": json.loads(row["meta"] or "null"),
            "duplicates": _pair(row, dup) if dup else None,
            "nearest_chosen": {"row": chosen, "cosine": row.get("nearest_cosine")} if chosen else None,
            "nearest": _nearest(store, nearest, row),
            "linked": row.get("input_row") is not None,
            "groups": [g for g in groups if g]}

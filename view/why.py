"""Why a row was kept or removed: its scores and their parts, its flags, the row it duplicates
beside it with the words that differ marked, and the groups it belongs to (the rows removed as
copies of it, the rows with its prompt, the rows with its answer)."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from view.query import Store

TOKEN = re.compile(r"\s+|[^\s]+")
MIN_ANSWER_WORDS = 4  # a one-word answer shared by two rows says nothing about them


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


def _group(store: Store, title: str, column: str, value: Any, own_id: str) -> dict[str, Any] | None:
    ids, rows = store.rows_where(column, value)
    others = [i for i in ids if i != own_id]
    if not others:
        return None
    shown = [r for r in rows if r["id"] != own_id]
    return {"title": title, "total": len(others), "ids": sorted(set(ids)), "rows": shown}


def explain(store: Store, n: int) -> dict[str, Any] | None:
    row = store.row(n)
    if row is None:
        return None
    row_id = row["id"]
    scores = {s: row.get(s) for s in store.scores if row.get(s) is not None}
    parts = json.loads(row["sel_parts"]) if row.get("sel_parts") else {}
    dup = store.row_by_id(row["dup_of"]) if row.get("dup_of") else None
    nearest = store.row_by_id(row["nearest_chosen"]) if row.get("nearest_chosen") else None
    groups = [
        _group(store, "removed as copies of this row", "dup_of", row_id, row_id),
        _group(store, "the same prompt (a conflict when the answers differ)", "instruction || '\n' || input",
               row["instruction"] + "\n" + row["input"], row_id),
    ]
    if len(row["output"].split()) >= MIN_ANSWER_WORDS:
        groups.append(_group(store, "the same answer (template variants or copies)", "output", row["output"], row_id))
    return {"row": row, "scores": scores, "parts": parts, "meta": json.loads(row["meta"] or "null"),
            "duplicates": _pair(row, dup) if dup else None,
            "nearest_chosen": {"row": nearest, "cosine": row.get("nearest_cosine")} if nearest else None,
            "groups": [g for g in groups if g]}

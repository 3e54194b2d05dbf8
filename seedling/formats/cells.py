"""Added columns of contract rows in CSV/TSV, whose cells hold only text: a value that is not
text is written as JSON, and so is a string that would read back as JSON ("0.8", "[1]",
"true") or is empty, so reading can decode every added column and get the same values."""

from __future__ import annotations

import json
from typing import Any

from seedling.record import CONTRACT_FIELDS


def _reads_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def encode_added(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key in CONTRACT_FIELDS or (isinstance(value, str) and value and not _reads_as_json(value)):
            out[key] = value
        else:
            out[key] = json.dumps(value, ensure_ascii=False)
    return out


def decode_added(row: dict[str, Any]) -> dict[str, Any]:
    """An empty cell is a column this row lacks; a cell that is not JSON is the text itself
    (a CSV another tool wrote)."""
    out = {}
    for key, value in row.items():
        if key in CONTRACT_FIELDS or not isinstance(value, str):
            out[key] = value
        elif value:
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
    return out


LIST_FIELDS = ("messages", "conversations", "instances", "prompt", "completion")


def decode_lists(row: dict[str, Any]) -> dict[str, Any]:
    """Chat turns and instances in a CSV cell are JSON (as writing puts them there); a prompt
    that merely looks like a JSON list ("[1, 2, 3]") stays text."""
    out = dict(row)
    for key in LIST_FIELDS:
        value = out.get(key)
        if isinstance(value, str) and value.startswith("["):
            try:
                items = json.loads(value)
            except ValueError:
                continue
            if isinstance(items, list) and items and all(isinstance(x, dict) for x in items):
                out[key] = items
    return out

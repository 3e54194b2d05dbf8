"""JSON files that are one value: an array of records (Alpaca's file), or an object that
holds them somewhere inside, as exports often do: `{"Meta_Info": {...}, "data": [...]}`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from seedling.errors import DataError
from seedling.formats.streams import decode, open_binary

Rows = Iterator[tuple[str, "dict[str, Any] | DataError"]]

MAX_DEPTH = 3


def record_lists(value: Any, prefix: str = "", depth: int = 0) -> list[str]:
    """Dotted paths of the non-empty lists of objects inside `value`, outermost first."""
    if not isinstance(value, dict) or depth >= MAX_DEPTH:
        return []
    found = []
    for key, item in value.items():
        where = f"{prefix}{key}"
        if isinstance(item, list) and item and all(isinstance(x, dict) for x in item):
            found.append(where)
        else:
            found.extend(record_lists(item, f"{where}.", depth + 1))
    return found


def _at(doc: Any, json_path: str, path: Path) -> Any:
    value = doc
    for key in json_path.split("."):
        if not isinstance(value, dict) or key not in value:
            keys = sorted(value) if isinstance(value, dict) else []
            raise DataError(path, None, f"--json-path {json_path}: no key {key!r} there (keys: {keys})")
        value = value[key]
    return value


def records_in_document(path: Path, text: str, json_path: str | None, notes: list[str] | None
                        ) -> Iterator[tuple[str, dict[str, Any] | DataError]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(path, f"line {exc.lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise DataError(path, None, "invalid JSON: nested too deeply") from None
    if json_path is not None:
        rows = _at(doc, json_path, path)
        if not isinstance(rows, list):
            raise DataError(path, None, f"--json-path {json_path}: expected a list of records, "
                                        f"got {type(rows).__name__}")
    elif isinstance(doc, dict):
        found = record_lists(doc)
        if not found:
            raise DataError(path, None, f"is a JSON object with no list of records inside (keys: {sorted(doc)}); "
                                        "name the list with --json-path")
        if len(found) > 1:
            raise DataError(path, None, f"is a JSON object holding several lists of records ({', '.join(found)}); "
                                        "name one with --json-path")
        json_path = found[0]
        rows = _at(doc, json_path, path)
        if notes is not None:
            others = sorted(k for k in doc if k != json_path.split(".")[0])
            notes.append(f"read the {len(rows)} records under {json_path!r} of a JSON object"
                         + (f" (other keys, not read: {', '.join(others)})" if others else ""))
    else:
        raise DataError(path, None, f"expected a JSON array or object of records, got {type(doc).__name__}")
    for n, row in enumerate(rows, 1):
        where = f"{json_path} item {n}" if json_path else f"item {n}"
        if not isinstance(row, dict):
            row = DataError(path, where, f"expected a JSON object, got {type(row).__name__}")
        yield where, row


def read_json(path: Path, json_path: str | None = None, notes: list[str] | None = None) -> Rows:
    """A JSON array of records, or a JSON object holding one: the list at `json_path` (dotted
    keys), else the only list of records inside it, saying which was read."""
    with open_binary(path) as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] == b"[" and json_path is None:
        yield from read_json_array(path)
        return
    yield from records_in_document(path, _whole_text(path), json_path, notes)


def _whole_text(path: Path) -> str:
    with open_binary(path) as f:
        try:
            data = f.read()
        except (OSError, EOFError) as exc:
            raise DataError(path, None, f"cannot be read: {exc}") from None
    text = decode(data.removeprefix(b"\xef\xbb\xbf"), path, None)
    if isinstance(text, DataError):
        line = data[: _first_bad_byte(data)].count(b"\n") + 1
        raise DataError(path, f"line {line}", text.problem)
    return text


def read_json_array(path: Path) -> Rows:
    """A JSON array of objects (Alpaca's file); each item is located by its line in the file."""
    text = _whole_text(path)
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if text[pos : pos + 1] != "[":
        raise DataError(path, None, "expected a JSON array of records")
    pos = _skip_ws(text, pos + 1)
    line, line_pos, item = 1, 0, 0
    if text[pos : pos + 1] == "]":
        return
    while True:
        line += text.count("\n", line_pos, pos)
        line_pos = pos
        item += 1
        where = f"item {item} (line {line})"
        try:
            row, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise DataError(path, f"line {exc.lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})") from None
        except RecursionError:
            raise DataError(path, where, "invalid JSON: nested too deeply") from None
        if not isinstance(row, dict):
            row = DataError(path, where, f"expected a JSON object, got {type(row).__name__}")
        yield where, row
        pos = _skip_ws(text, pos)
        sep = text[pos : pos + 1]
        if sep == "]":
            return
        if sep != ",":
            line += text.count("\n", line_pos, pos)
            raise DataError(path, f"line {line}", "invalid JSON: expected ',' or ']' between items")
        pos = _skip_ws(text, pos + 1)


def _first_bad_byte(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return len(data)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos

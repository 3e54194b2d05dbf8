"""`--map instruction=text,output=Answer1`: a file's own column names onto a format's fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seedling.errors import ConfigError, DataError


def parse_mapping(spec: str | dict[str, str] | None) -> dict[str, str]:
    """`field=column` pairs, comma-separated (or a dict from a config): field <- column."""
    if spec is None:
        return {}
    if isinstance(spec, dict):
        pairs = list(spec.items())
    else:
        pairs = []
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            field, sep, column = (s.strip() for s in part.partition("="))
            if not sep or not field or not column:
                raise ConfigError(f"--map {spec!r}: {part!r} is not FIELD=COLUMN (e.g. instruction=text)")
            pairs.append((field, column))
    mapping: dict[str, str] = {}
    for field, column in pairs:
        if field in mapping:
            raise ConfigError(f"--map: {field!r} is mapped twice")
        mapping[str(field)] = str(column)
    return mapping


def apply_mapping(data: dict[str, Any], mapping: dict[str, str], path: Path, where: str) -> dict[str, Any]:
    """The row with each mapped column renamed to its field; the other columns stay."""
    missing = [c for c in mapping.values() if c not in data]
    if missing:
        raise DataError(path, where, f"--map names column {missing[0]!r}, which this row lacks "
                                     f"(columns: {sorted(data)})")
    taken = [f for f, c in mapping.items() if f in data and f != c and f not in mapping.values()]
    if taken:
        raise DataError(path, where, f"--map {taken[0]}={mapping[taken[0]]}: the row already has a column "
                                     f"{taken[0]!r}; map that one elsewhere too (e.g. orig_{taken[0]}=...)")
    renamed = {c: f for f, c in mapping.items()}
    out = {k: v for k, v in data.items() if k not in renamed}
    out.update({f: data[c] for f, c in mapping.items()})
    return out

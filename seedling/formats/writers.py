"""How rows are written: JSON Lines, JSON arrays, Parquet, Arrow, CSV/TSV, Excel; `.gz` compresses
any but Parquet, Arrow and Excel (which compress themselves). Every write is atomic: whole or not at all."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any, Callable, Iterable

from seedling.errors import DataError
from seedling.formats.atomic import atomic_path
from seedling.formats.workbook import write_workbook

SUFFIXES = {".parquet": "parquet", ".arrow": "arrow", ".feather": "arrow", ".jsonl": "jsonl", ".json": "json",
            ".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx"}
SELF_COMPRESSED = {"parquet": "Parquet", "arrow": "Arrow", "xlsx": "An Excel workbook"}


def container_for_output(path: Path) -> str:
    """From the last suffix, or the one before `.gz`: `rows.parquet.jsonl` is JSON Lines."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = suffixes[-1:] == [".gz"]
    if compressed:
        suffixes.pop()
    name = SUFFIXES.get(suffixes[-1]) if suffixes else None
    if name in SELF_COMPRESSED and compressed:
        raise DataError(path, None, f"{SELF_COMPRESSED[name]} compresses itself: drop the .gz")
    if name is not None:
        return name
    raise DataError(path, None, "cannot tell the output format: name it .jsonl, .json, .parquet, .arrow, .csv, "
                                ".tsv or .xlsx (add .gz to compress the text ones)")


def _open_text(tmp: Path, final: Path):
    if final.suffix.lower() == ".gz":
        return gzip.open(tmp, "wt", encoding="utf-8", newline="")
    return open(tmp, "w", encoding="utf-8", newline="")


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    n = 0
    with atomic_path(path) as tmp, _open_text(tmp, path) as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_json_array(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """Pretty-printed like Alpaca's own file, streamed so large sets need no second copy."""
    n = 0
    with atomic_path(path) as tmp, _open_text(tmp, path) as f:
        f.write("[")
        for row in rows:
            f.write(",\n    " if n else "\n    ")
            f.write(json.dumps(row, ensure_ascii=False, indent=4).replace("\n", "\n    "))
            n += 1
        f.write("\n]\n" if n else "]\n")
    return n


def _cell(value: Any) -> str:
    """CSV holds text: strings as they are, anything else (meta, lists, numbers) as JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def write_csv(rows: Iterable[dict[str, Any]], path: Path, delimiter: str = ",") -> int:
    """A header of every column any row has (first-seen order); a row without one leaves it empty."""
    table = list(rows)
    columns = list(dict.fromkeys(k for row in table for k in row))
    with atomic_path(path) as tmp, _open_text(tmp, path) as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")  # RFC 4180: a field holding a CR is quoted too
        writer.writerow(columns)
        for row in table:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return len(table)


def _arrow_table(rows: Iterable[dict[str, Any]]):
    """`meta` as a JSON string: Arrow cannot type dicts whose keys differ by row."""
    import pyarrow as pa

    return pa.Table.from_pylist([
        {**r, "meta": json.dumps(r["meta"], ensure_ascii=False)} if isinstance(r.get("meta"), dict) else r
        for r in rows
    ])


def write_parquet(rows: Iterable[dict[str, Any]], path: Path) -> int:
    import pyarrow.parquet as pq

    table = _arrow_table(rows)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return table.num_rows


def write_arrow(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """An Arrow IPC file (Feather v2, LZ4-compressed), as pandas and polars read it."""
    import pyarrow.feather as feather

    table = _arrow_table(rows)
    with atomic_path(path) as tmp:
        feather.write_feather(table, tmp)
    return table.num_rows


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], Path], int]] = {
    "jsonl": write_jsonl,
    "json": write_json_array,
    "parquet": write_parquet,
    "arrow": write_arrow,
    "csv": write_csv,
    "tsv": lambda rows, path: write_csv(rows, path, "\t"),
    "xlsx": write_workbook,
}

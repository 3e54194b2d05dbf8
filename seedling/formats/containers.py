"""How rows are stored: JSON Lines, JSON arrays, Parquet, CSV, `datasets` directories.

A reader yields `(where, row)` pairs, `where` being a place a person can find ("line 12").
A row that cannot be read is yielded as a DataError instead of a dict, so the caller decides
whether to stop or to skip it; an error that leaves nothing more to read is raised.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from seedling.errors import DataError
from seedling.formats.atomic import atomic_path

Rows = Iterator[tuple[str, "dict[str, Any] | DataError"]]

# One instruction pair of 16 MiB is already absurd; past this a "line" is a sign of a file in
# another format (minified JSON array, binary), and reading it whole would only waste memory.
MAX_ROW_BYTES = 16 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
HF_DIR_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")


def _open_binary(path: Path):
    with open(path, "rb") as f:
        compressed = f.read(2) == GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def detect_container(path: Path) -> str:
    """Name the container from what the file holds, the extension only breaking ties."""
    if path.is_dir():
        if any((path / m).exists() for m in HF_DIR_MARKERS):
            return "datasets"
        raise DataError(path, None, "is a directory but not a `datasets` save_to_disk directory")
    if not path.exists():
        raise DataError(path, None, "no such file")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == PARQUET_MAGIC:
        return "parquet"
    suffixes = [s.lower() for s in path.suffixes]
    if ".csv" in suffixes or ".tsv" in suffixes:
        return "tsv" if ".tsv" in suffixes else "csv"
    with _open_binary(path) as f:
        try:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        except (OSError, EOFError) as exc:
            raise DataError(path, None, f"cannot be read: {exc}") from None
    if not head:
        raise DataError(path, None, "is empty: there are no records in it")
    if head[:1] == b"[":
        return "json"
    if head[:1] == b"{":
        return "jsonl"
    raise DataError(
        path, None,
        "cannot tell its format: it is not JSON Lines, a JSON array, Parquet, CSV or a "
        f"datasets directory (it starts with {head[:20]!r})",
    )


def _lines(f, path: Path) -> Iterator[tuple[int, bytes | DataError]]:
    """Lines of a binary stream, each bounded by MAX_ROW_BYTES so one huge line cannot sink us."""
    lineno = 0
    while True:
        raw = f.readline(MAX_ROW_BYTES + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_ROW_BYTES and not raw.endswith(b"\n"):
            size = len(raw)
            while (more := f.readline(MAX_ROW_BYTES)) and not more.endswith(b"\n"):
                size += len(more)
            size += len(more)
            yield lineno, DataError(
                path, f"line {lineno}",
                f"is {size / 2**20:.1f} MiB, over the {MAX_ROW_BYTES // 2**20} MiB limit for one "
                "row; is this really JSON Lines?",
            )
            continue
        yield lineno, raw


def _decode(raw: bytes, path: Path, where: str) -> str | DataError:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return DataError(
            path, where,
            f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1}); "
            "re-encode the file as UTF-8",
        )


def read_jsonl(path: Path) -> Rows:
    """One JSON object a line; blank lines are skipped (many tools end files with one)."""
    with _open_binary(path) as f:
        for lineno, raw in _lines(f, path):
            where = f"line {lineno}"
            if isinstance(raw, DataError):
                yield where, raw
                continue
            if lineno == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            text = _decode(raw, path, where)
            if isinstance(text, DataError):
                yield where, text
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                yield where, DataError(path, where, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(row, dict):
                row = DataError(path, where, f"expected a JSON object, got {type(row).__name__}")
            yield where, row


def read_json_array(path: Path) -> Rows:
    """A JSON array of objects (Alpaca's file); each item is located by its line in the file."""
    with _open_binary(path) as f:
        data = f.read()
    text = _decode(data.removeprefix(b"\xef\xbb\xbf"), path, None)
    if isinstance(text, DataError):
        line = data[: _first_bad_byte(data)].count(b"\n") + 1
        raise DataError(path, f"line {line}", text.problem)
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


def read_parquet(path: Path) -> Rows:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataError(path, None, f"is not a readable Parquet file: {exc}") from None
    n = 0
    for batch in pf.iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            n += 1
            yield f"row {n}", row


def read_csv(path: Path, delimiter: str = ",") -> Rows:
    """CSV/TSV with a header row; all values are strings, and a `meta` column holds JSON."""
    csv.field_size_limit(MAX_ROW_BYTES)
    with _open_binary(path) as fb:
        f = io.TextIOWrapper(fb, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(f, delimiter=delimiter)
        n = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise DataError(path, f"after line {reader.line_num}", f"is not valid UTF-8 ({exc.reason})") from None
            except csv.Error as exc:
                raise DataError(path, f"line {reader.line_num}", f"invalid CSV: {exc}") from None
            n += 1
            where = f"row {n} (line {reader.line_num})"
            if None in row:
                yield where, DataError(path, where, "has more fields than the header")
                continue
            yield where, row


def read_datasets_dir(path: Path, split: str | None = None) -> Rows:
    """A directory written by `datasets.Dataset.save_to_disk` (or a DatasetDict's)."""
    import datasets

    ds = datasets.load_from_disk(str(path))
    if isinstance(ds, datasets.DatasetDict):
        splits = list(ds)
        if split is None and len(splits) == 1:
            split = splits[0]
        elif split is None:
            split = "train" if "train" in ds else None
        if split not in ds:
            raise DataError(path, None, f"holds splits {splits}; name one with --split")
        ds = ds[split]
    for n, row in enumerate(ds, 1):
        yield f"row {n}", row


READERS: dict[str, Callable[[Path], Rows]] = {
    "jsonl": read_jsonl,
    "json": read_json_array,
    "parquet": read_parquet,
    "csv": read_csv,
    "tsv": lambda p: read_csv(p, "\t"),
    "datasets": read_datasets_dir,
}


def container_for_output(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    for suffix, name in ((".parquet", "parquet"), (".jsonl", "jsonl"), (".json", "json")):
        if suffix in suffixes:
            return name
    raise DataError(path, None, "cannot tell the output format: name it .jsonl, .json or .parquet")


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    n = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_json_array(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """Pretty-printed like Alpaca's own file, streamed so large sets need no second copy."""
    n = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write("[")
        for row in rows:
            f.write(",\n    " if n else "\n    ")
            f.write(json.dumps(row, ensure_ascii=False, indent=4).replace("\n", "\n    "))
            n += 1
        f.write("\n]\n" if n else "]\n")
    return n


def write_parquet(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """Parquet holds `meta` as a JSON string: Arrow cannot type dicts whose keys differ by row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table_rows = [
        {**r, "meta": json.dumps(r["meta"], ensure_ascii=False)} if isinstance(r.get("meta"), dict) else r
        for r in rows
    ]
    table = pa.Table.from_pylist(table_rows)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return len(table_rows)


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], Path], int]] = {
    "jsonl": write_jsonl,
    "json": write_json_array,
    "parquet": write_parquet,
}

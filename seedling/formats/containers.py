"""How rows are stored: JSON Lines, JSON arrays, Parquet, Arrow, CSV, Excel, `datasets` directories.

A reader yields `(where, row)` pairs, `where` being a place a person can find ("line 12").
A row that cannot be read is yielded as a DataError instead of a dict, so the caller decides
whether to stop or to skip it; an error that leaves nothing more to read is raised.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Callable, Iterator

from seedling.errors import DataError
from seedling.formats.documents import read_json
from seedling.formats.streams import decode, open_binary
from seedling.formats.workbook import OLE_MAGIC, SAVE_HINT, ZIP_MAGIC, read_workbook, zip_container

Rows = Iterator[tuple[str, "dict[str, Any] | DataError"]]

# One instruction pair of 16 MiB is already absurd; past this a "line" is a sign of a file in
# another format (minified JSON array, binary), and reading it whole would only waste memory.
MAX_ROW_BYTES = 16 * 1024 * 1024
PARQUET_MAGIC = b"PAR1"
ARROW_FILE_MAGIC, ARROW_STREAM_MAGIC = b"ARROW1", b"\xff\xff\xff\xff"  # a `datasets` cache file is a stream
TEXT_CELLS = ("csv", "tsv", "xlsx")  # containers whose cells hold text: added columns go in as JSON
HF_DIR_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")
SPREADSHEET_HINT = " (from a spreadsheet: save it as 'CSV UTF-8' or as .xlsx; or convert it: iconv -f cp1252 -t utf-8)"


def detect_container(path: Path) -> str:
    """Name the container from what the file holds, the extension only breaking ties."""
    if path.is_dir():
        if any((path / m).exists() for m in HF_DIR_MARKERS):
            return "datasets"
        raise DataError(path, None, "is a directory but not a `datasets` save_to_disk directory")
    if not path.exists():
        raise DataError(path, None, "no such file")
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic[:4] == PARQUET_MAGIC:
        return "parquet"
    if magic[:6] == ARROW_FILE_MAGIC or magic[:4] == ARROW_STREAM_MAGIC:
        return "arrow"
    if magic[:4] == ZIP_MAGIC:
        return zip_container(path)
    if magic == OLE_MAGIC:
        raise DataError(path, None, f"is an Excel 97-2003 workbook (.xls) or another old Office file: {SAVE_HINT}")
    suffixes = [s.lower() for s in path.suffixes]
    if ".csv" in suffixes or ".tsv" in suffixes:
        return "tsv" if ".tsv" in suffixes else "csv"
    with open_binary(path) as f:
        try:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        except (OSError, EOFError) as exc:
            raise DataError(path, None, f"cannot be read: {exc}") from None
    if not head:
        raise DataError(path, None, "is empty: there are no records in it")
    if head[:1] == b"[":
        return "json"
    if head[:1] == b"{":
        return "json" if _starts_a_document(path) else "jsonl"
    raise DataError(
        path, None,
        "cannot tell its format: it is not JSON Lines, a JSON array, Parquet, Arrow, CSV, Excel or a "
        f"datasets directory (it starts with {head[:20]!r})",
    )


def _starts_a_document(path: Path) -> bool:
    """Whether the first line is the start of one multi-line JSON value (a pretty-printed
    export) rather than a whole JSON Lines row: it fails to parse exactly where it ends."""
    with open_binary(path) as f:
        first = f.readline(MAX_ROW_BYTES).lstrip(b"\xef\xbb\xbf").strip()
    try:
        json.loads(first.decode("utf-8"))
    except UnicodeDecodeError:
        return False
    except json.JSONDecodeError as exc:
        return exc.pos >= len(first.decode("utf-8"))
    return False


def single_line(path: Path) -> bool:
    """Whether the file holds one non-blank line (stops reading at the second)."""
    seen = 0
    with open_binary(path) as f:
        for _, raw in _lines(f, path):
            if isinstance(raw, DataError) or raw.strip():
                seen += 1
                if seen > 1:
                    return False
    return seen == 1


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

def read_jsonl(path: Path) -> Rows:
    """One JSON object a line; blank lines are skipped (many tools end files with one)."""
    with open_binary(path) as f:
        for lineno, raw in _lines(f, path):
            where = f"line {lineno}"
            if isinstance(raw, DataError):
                yield where, raw
                continue
            if lineno == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            text = decode(raw, path, where)
            if isinstance(text, DataError):
                yield where, text
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                yield where, DataError(path, where, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecursionError:
                yield where, DataError(path, where, "invalid JSON: nested too deeply")
                continue
            if not isinstance(row, dict):
                row = DataError(path, where, f"expected a JSON object, got {type(row).__name__}")
            yield where, row

def _columnar(path: Path, kind: str, batches: Iterator) -> Rows:
    """Rows of record batches; a damaged page shows only when it is read, so reading can fail too."""
    n = 0
    while True:
        try:
            batch = next(batches, None)
            rows = batch.to_pylist() if batch is not None else []
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise DataError(path, f"after row {n}", f"is not a readable {kind} file: {exc}") from None
        if batch is None:
            return
        for row in rows:
            n += 1
            yield f"row {n}", row


def read_parquet(path: Path) -> Rows:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataError(path, None, f"is not a readable Parquet file: {exc}") from None
    return _columnar(path, "Parquet", pf.iter_batches(batch_size=4096))


def read_arrow(path: Path) -> Rows:
    """An Arrow IPC file (Feather v2) or stream, such as a `datasets` cache file, read a record
    batch at a time from a memory map, which is closed when reading ends."""
    import pyarrow as pa

    try:
        source = pa.memory_map(str(path))
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataError(path, None, f"is not a readable Arrow file: {exc}") from None
    with source:
        try:
            if source.read(6) == ARROW_FILE_MAGIC:
                reader = pa.ipc.open_file(source)
                batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
            else:
                source.seek(0)
                batches = iter(pa.ipc.open_stream(source))
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise DataError(path, None, f"is not a readable Arrow file: {exc}") from None
        yield from _columnar(path, "Arrow", batches)


def read_csv(path: Path, delimiter: str = ",") -> Rows:
    """CSV/TSV with a header row; all values are strings, and a `meta` column holds JSON."""
    csv.field_size_limit(MAX_ROW_BYTES)
    with open_binary(path) as fb:
        f = io.TextIOWrapper(fb, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(f, delimiter=delimiter)
        n = 0
        while True:
            try:
                if reader.fieldnames is None:  # reads the header, so that `ended` is where it ends
                    return
                ended = reader.line_num
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise _not_utf8(path) from None
            except csv.Error as exc:
                raise DataError(path, f"line {reader.line_num}", f"invalid CSV: {exc}") from None
            n += 1
            lines = f"line {reader.line_num}" if reader.line_num == ended + 1 else f"lines {ended + 1}-{reader.line_num}"
            where = f"row {n} ({lines})"
            if None in row:
                yield where, DataError(path, where, "has more fields than the header")
                continue
            yield where, row


def _not_utf8(path: Path) -> DataError:
    """Where a text file stops being UTF-8: its text is decoded ahead of the line being read,
    so the failing line is found again, a line at a time."""
    with open_binary(path) as f:
        for lineno, raw in _lines(f, path):
            problem = raw if isinstance(raw, DataError) else decode(raw.removeprefix(b"\xef\xbb\xbf"), path, None)
            if isinstance(problem, DataError):
                return DataError(path, f"line {lineno}", problem.problem + SPREADSHEET_HINT)
    return DataError(path, None, "is not valid UTF-8" + SPREADSHEET_HINT)


def read_datasets_dir(path: Path, split: str | None = None, notes: list[str] | None = None) -> Rows:
    """A directory written by `datasets.Dataset.save_to_disk` (or a DatasetDict's). Of a
    DatasetDict, `split` names one split or `all`; by default `train`, saying so."""
    import datasets

    try:
        ds = datasets.load_from_disk(str(path))
    except Exception as exc:  # datasets raises several types for a damaged directory
        raise DataError(path, None, f"is not a readable datasets directory: {exc}") from None
    if not isinstance(ds, datasets.DatasetDict):
        for n, row in enumerate(ds, 1):
            yield f"row {n}", row
        return
    splits = list(ds)
    if split is None and len(splits) == 1:
        split = splits[0]
    elif split is None and "train" in ds:
        split = "train"
        others = ", ".join(f"{s} ({ds[s].num_rows} rows)" for s in splits if s != "train")
        if notes is not None:
            notes.append(f"read split 'train' ({ds['train'].num_rows} rows) of a DatasetDict that also holds "
                         f"{others}; --split NAME reads another, --split all reads them all")
    if split == "all":
        chosen = splits
    elif split in ds:
        chosen = [split]
    else:
        raise DataError(path, None, f"holds splits {splits}; name one with --split (or --split all)")
    for name in chosen:
        for n, row in enumerate(ds[name], 1):
            yield (f"{name} row {n}" if len(chosen) > 1 else f"row {n}"), row


READERS: dict[str, Callable[..., Rows]] = {
    "jsonl": read_jsonl,
    "json": read_json,
    "parquet": read_parquet,
    "arrow": read_arrow,
    "csv": read_csv,
    "tsv": lambda p: read_csv(p, "\t"),
    "datasets": read_datasets_dir,
    "xlsx": read_workbook,
}

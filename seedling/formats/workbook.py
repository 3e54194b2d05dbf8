"""Excel workbooks (.xlsx, .xlsm): where hand-written seed tasks and annotation sheets live,
read and written.

A sheet reads like a CSV: its first row that holds anything is the header, each later row a
record, and each cell the text Excel shows for it (3, not 3.0; TRUE; a date as 2024-05-01).
openpyxl streams the sheet (read-only mode) and, with defusedxml installed, parses its XML
defensively; formulas give the value Excel last computed. A workbook a program wrote with
formulas no spreadsheet has computed yet holds no such value: its cells would read as empty, so
such a cell is an error naming it.
"""

from __future__ import annotations

import datetime
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from seedling.errors import DataError
from seedling.formats.atomic import atomic_path

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), among other Office files
SAVE_HINT = "save it from the spreadsheet as .xlsx, or as 'CSV UTF-8'"
EXCEL_ROWS, EXCEL_CELL_CHARS = 1_048_576, 32_767
# OOXML's escape, as Excel writes it: a character XML would drop or alter (a control character, a
# carriage return) is `_xHHHH_`, and a literal `_xHHHH_` has its underscore escaped (`_x005F_`).
ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")
TO_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f]")
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s/>]")  # a cell's <f> element, with or without a namespace prefix


def zip_container(path: Path) -> str:
    """'xlsx' for an Excel workbook; any other zip archive is refused, saying what it is."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            kind = archive.read("mimetype")[:80].decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise DataError(path, None, f"is not a readable zip archive (an Excel workbook is one): {exc}") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "opendocument.spreadsheet" in kind:
        raise DataError(path, None, f"is an OpenDocument spreadsheet (.ods): {SAVE_HINT}")
    raise DataError(path, None, "is a zip archive, not a data file: unzip it and name the file inside")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _sheet_rows(path: Path, rows: Iterator[tuple], prefix: str, notes: list[str] | None) -> Iterator[tuple[str, Any]]:
    """A title above the table (a row of one cell, then a wider one) is passed over, saying so:
    a sheet made for people often starts with one."""
    header: list[str] | None = None
    records = 0
    for number, cells in enumerate(rows, 1):
        texts = [_text(c) for c in cells]
        filled = sum(1 for t in texts if t.strip())
        if not filled:
            continue
        titled = header is not None and not records and filled > 1 and sum(1 for h in header if h) == 1
        if header is None or titled:
            if titled and notes is not None:
                title = next(h for h in header if h)
                notes.append(f"passed over {title[:60]!r} above the table{' of ' + prefix.strip() if prefix else ''}: "
                             f"row {number} is its header")
            header = [t.strip() for t in texts]
            continue
        records += 1
        where = f"{prefix}row {number}"
        stray = next((i for i, t in enumerate(texts) if t.strip() and (i >= len(header) or not header[i])), None)
        if stray is not None:
            yield where, DataError(path, where, f"has a value in column {_column(stray)}, which has no header")
            continue
        yield where, {h: t for h, t in zip(header, texts) if h}


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_workbook(path: Path, sheet: str | None = None, notes: list[str] | None = None) -> Iterator[tuple[str, Any]]:
    """One sheet of a workbook (by default the first that holds anything, saying so when there
    are more), or all."""
    import openpyxl

    handle = open(path, "rb")  # a file, not a name: openpyxl would refuse a workbook by its extension
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged workbook
        handle.close()
        raise DataError(path, None, f"is not a readable Excel workbook: {_line(exc)}") from None
    formulas, formulas_handle = None, None  # the workbook read for its formulas: for sheets that hold some
    try:
        names = [s.title for s in book.worksheets]  # chart sheets hold no rows
        if sheet == "all":
            chosen = names
        elif sheet is None:
            chosen = [next((n for n in names if _holds_anything(book[n])), names[0])]
            if len(names) > 1 and notes is not None:
                others = ", ".join(repr(n) for n in names if n != chosen[0])
                notes.append(f"read sheet {chosen[0]!r} of a workbook that also holds {others}; "
                             "--split NAME reads another, --split all reads them all")
        elif sheet in names:
            chosen = [sheet]
        else:
            raise DataError(path, None, f"holds sheets {names}; name one with --split (or --split all)")
        for name in chosen:
            prefix = f"sheet {name!r} " if len(names) > 1 else ""
            rows = book[name].iter_rows(values_only=True)
            try:
                if _has_formulas(path, book[name]):
                    if formulas is None:
                        formulas_handle = open(path, "rb")
                        formulas = openpyxl.load_workbook(formulas_handle, read_only=True, data_only=False)
                    rows = _computed(path, prefix, rows, formulas[name].iter_rows(values_only=True))
                yield from _sheet_rows(path, rows, prefix, notes)
            except DataError:
                raise
            except Exception as exc:  # a damaged sheet shows only when it is read
                raise DataError(path, f"sheet {name!r}", f"is not a readable Excel sheet: {_line(exc)}") from None
    finally:
        book.close()
        handle.close()
        if formulas is not None:
            formulas.close()
            formulas_handle.close()


def _has_formulas(path: Path, sheet) -> bool:
    """Whether the sheet's XML holds a formula, scanned in chunks: most sheets hold none, and
    then nothing is read twice. A sheet whose part cannot be found is taken to hold some."""
    part = getattr(sheet, "_worksheet_path", None)
    if part is None:
        return True
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as xml:
        tail = b""
        while chunk := xml.read(1 << 20):
            if FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _computed(path: Path, prefix: str, values: Iterator[tuple], formulas: Iterator[tuple]) -> Iterator[tuple]:
    """The rows of values, refusing a formula cell that holds no computed value."""
    for number, (row, written) in enumerate(zip(values, formulas), 1):
        for column, (value, formula) in enumerate(zip(row, written)):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                raise DataError(path, f"{prefix}row {number} column {_column(column)}",
                                f"holds the formula {formula[:60]!r}, which no spreadsheet has computed yet, so "
                                "its value is not in the file: open and save the workbook in Excel or "
                                "LibreOffice (or paste the values over the formulas), then read it again")
        yield row


def _holds_anything(sheet) -> bool:
    """Stops at the first cell with a value: a cover sheet left empty is passed over cheaply."""
    return any(c is not None and str(c).strip() for row in sheet.iter_rows(values_only=True) for c in row)


def _line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def write_workbook(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """One sheet: a header of every column any row has (first-seen order), then the rows, every
    cell as text (a value that is not text as JSON, as in CSV). A text that begins with '=' stays
    text, never a formula Excel would run; a text longer than a cell holds stops the write, naming
    the record, before anything is written."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    table = list(rows)
    if len(table) >= EXCEL_ROWS:
        raise DataError(path, None, f"{len(table):,} rows are more than an Excel sheet holds "
                                    f"({EXCEL_ROWS - 1:,} under its header): write .jsonl, .parquet or .csv")
    columns = list(dict.fromkeys(k for row in table for k in row))
    cells = [[_cell_text(row.get(c), path, f"record {n}", c) for c in columns] for n, row in enumerate(table, 1)]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("rows")
    for texts in [[_cell_text(c, path, "header", c) for c in columns], *cells]:
        sheet.append([_as_text(WriteOnlyCell(sheet, value=t)) if t is not None else None for t in texts])
    with atomic_path(path) as tmp:
        book.save(tmp)
    return len(table)


def _cell_text(value: Any, path: Path, where: str, column: str) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > EXCEL_CELL_CHARS:
        raise DataError(path, where, f"field {column!r} holds {len(text):,} characters, more than an Excel "
                                          f"cell's {EXCEL_CELL_CHARS:,}: write .jsonl, .parquet or .csv instead")
    return TO_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _as_text(cell):
    cell.data_type = "s"
    return cell

"""Read any common instruction-data file into records, and write records back out.

    records = load("alpaca_data.json").records
    save(records, "out.parquet")                   # the contract, as Parquet
    save(records, "sft.jsonl", format="messages")  # chat messages for SFT

The container (JSON Lines, a JSON array or an object holding one, Parquet, Arrow, CSV/TSV,
an Excel workbook, a datasets directory; compressed or not) is detected from the content;
the row format (contract, Alpaca, Self-Instruct, Dolly, ShareGPT, OpenAI messages, TRL
prompt/completion, preference pairs, question/answer and prompt/response namings, a chat
template in one text field, a prompt with a pool of answers, prompts alone) from the first row's fields, in any case (a spreadsheet's "Prompt" is `prompt`), or
named with `format=`; `mapping` renames a file's own columns.
What reading did beyond the plain rows (markers stripped, the split or JSON key read) is
said in `notes`.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator

from seedling.errors import DataError
from seedling.formats.cells import decode_added, decode_lists, encode_added
from seedling.formats.containers import READERS, TEXT_CELLS, detect_container, single_line
from seedling.formats.documents import record_lists
from seedling.formats.exporters import EXPORTERS, LOSSES
from seedling.formats.importers import IMPORTERS, Row, detect_importer
from seedling.formats.importers.row import folded
from seedling.formats.mapping import apply_mapping, parse_mapping
from seedling.formats.markers import strip_end_markers
from seedling.formats.writers import WRITERS, container_for_output
from seedling.record import PROMPTS_SOURCE, Record

__all__ = ["EXPORTERS", "IMPORTERS", "Loaded", "Source", "load", "parse_mapping", "save"]


class Source:
    """One input, read lazily. Bad rows raise, or with `skip_invalid` are kept in `skipped`."""

    def __init__(
        self,
        path: str | Path,
        format: str | None = None,
        *,
        skip_invalid: bool = False,
        split: str | None = None,
        mapping: dict[str, str] | None = None,
        json_path: str | None = None,
    ):
        self.path = Path(path)
        if format is not None and format not in IMPORTERS:
            raise DataError(self.path, None, f"unknown format {format!r}; known: {', '.join(IMPORTERS)}")
        self.format = format
        self.importer = None  # the named format's, else found on the first row
        self.container = detect_container(self.path)
        if json_path is not None:
            if self.container not in ("json", "jsonl"):
                raise DataError(self.path, None, f"--json-path names a key in a JSON file; this is {self.container}")
            self.container = "json"
        self.skip_invalid = skip_invalid
        self.split = split
        self.mapping = dict(mapping or {})
        self.json_path = json_path
        self.skipped: list[DataError] = []
        self.markers_stripped = 0
        self.records_read = 0
        self.prompts = 0
        self.empty_rows = 0  # rows that hold no record, such as a conversation nobody answered
        self.folds: dict[str, str] = {}  # field names read regardless of case and edge spaces: {"Prompt": "prompt"}
        self._notes: list[str] = []
        self.offer_skip = False  # a bad row's error may say that skipping invalid rows is an option

    @property
    def prompt_only(self) -> bool:
        """Every record read is a prompt without an answer (output "")."""
        return self.records_read > 0 and self.prompts == self.records_read

    @property
    def notes(self) -> list[str]:
        """What reading did that a person should know, one sentence each."""
        notes = list(self._notes)
        if self.mapping:
            notes.append("mapped " + ", ".join(f"{src} -> {dst}" for dst, src in self.mapping.items()))
        if self.folds:
            folds = ", ".join(f"{a!r} -> {b!r}" for a, b in self.folds.items())
            notes.append(f"read field names regardless of case: {folds}")
        if self.markers_stripped:
            notes.append(f"stripped {self.markers_stripped} end-of-text markers (<|endoftext|>, </s>, ...) from the "
                         "end of answers")
        if self.empty_rows:
            rows = "1 row" if self.empty_rows == 1 else f"{self.empty_rows} rows"
            notes.append(f"{rows} held nothing to read (a conversation without an answer)")
        if self.prompt_only:
            notes.append(f"prompt-only data: {self.prompts} prompts without answers (output is \"\" in every row, "
                         f"source {PROMPTS_SOURCE})")
        return notes

    def _rows(self):
        if self.container in ("datasets", "xlsx"):
            return READERS[self.container](self.path, self.split, self._notes)
        if self.container == "json":
            return READERS["json"](self.path, self.json_path, self._notes)
        return READERS[self.container](self.path)

    def _holds_records(self, data: dict) -> None:
        """A one-line JSON file that is an object holding the records, not a row: read it whole."""
        if self.container != "jsonl" or self.records_read or detect_importer(set(data)) is not None:
            return
        lists = record_lists(data)
        if len(lists) == 1 and single_line(self.path):
            raise _HoldsRecords()

    def _detect(self, data: dict, where: str):
        importer = detect_importer(set(data))
        if importer is not None:
            return importer
        names = _folded_names(data)
        if names and (importer := detect_importer({names.get(k, k) for k in data})) is not None:
            self.folds = names
            return importer
        fields = sorted(data)
        texts = [k for k in fields if isinstance(data[k], str) and data[k].strip()]
        hint = f"; a file of prompts: --map instruction={texts[0]}" if len(texts) == 1 else ""
        raise DataError(
            self.path, where,
            f"fields {fields} match no known format ({', '.join(IMPORTERS)}); map yours with "
            f"--map instruction=COLUMN,output=COLUMN or name a format with --format{hint}",
        )

    def __iter__(self) -> Iterator[Record]:
        try:
            yield from self._read()
        except _HoldsRecords:
            self.container, self.skipped = "json", []  # the document reader finds the list, and says so
            yield from self._read()

    def _prepared(self) -> Iterator[Row | DataError]:
        """Each row as its importer reads it (mapped, names folded, text cells decoded); the
        importer is found on the first row, unless one was named."""
        for where, data in self._rows():
            try:
                if isinstance(data, DataError):
                    raise data
                if self.importer is None:
                    self._holds_records(data)
                if self.mapping:
                    data = apply_mapping(data, self.mapping, self.path, where)
                if self.importer is None:
                    self.importer = self._detect(data, where)
                    self.format = self.importer.NAME
                if self.folds:
                    data = {self.folds.get(k, k): v for k, v in data.items()}
                if self.container in TEXT_CELLS:
                    data = decode_added(data) if self.importer.NAME == "contract" else decode_lists(data)
                yield Row(data, self.path, where)
            except DataError as exc:
                yield exc

    def _converted(self) -> Iterator[tuple[str | None, list]]:
        """Where each row (or tree, for a format of one message a row) is, and its records, any
        of them a DataError."""
        rows = self._prepared()
        for row in rows:
            if isinstance(row, DataError):
                yield row.where, [row]
            elif hasattr(self.importer, "convert_file"):
                yield from self.importer.convert_file(chain([row], rows), self._notes)
                return
            else:
                try:
                    yield row.where, list(self.importer.convert(row))
                except DataError as exc:
                    yield row.where, [exc]

    def _read(self) -> Iterator[Record]:
        self.importer = IMPORTERS.get(self.format) if self.format else None
        for where, parts in self._converted():
            self.empty_rows += not parts
            records = []
            for part in parts:  # a row of several records (a pool's answers) may hold one bad one
                try:
                    if isinstance(part, DataError):
                        raise part
                    records.append(self._clean(part, where))
                except DataError as exc:
                    self._skip(exc)
            self.records_read += len(records)
            self.prompts += sum(r.source == PROMPTS_SOURCE for r in records)
            yield from records
        if self.records_read == 0:
            why = f"all {len(self.skipped)} rows were invalid" if self.skipped else "there are no records in it"
            raise DataError(self.path, None, f"holds no records: {why}")

    def _skip(self, exc: DataError) -> None:
        """A bad row (or one bad record of a row) stops the read, or with skip_invalid is kept."""
        if not self.skip_invalid:
            exc.skippable = self.offer_skip
            raise exc
        self.skipped.append(exc)

    def _clean(self, record: Record, where: str) -> Record:
        output, n = strip_end_markers(record.output)
        if not n:
            return record
        if not output:
            raise DataError(self.path, where, "field 'output' holds nothing but an end-of-text marker")
        self.markers_stripped += n
        return replace(record, output=output)


def _folded_names(data: dict) -> dict[str, str]:
    """Header names as a spreadsheet export writes them ("Prompt", " Response") to the lower
    case every format here uses; none where two names would fold into one."""
    names = {k: folded(k) for k in data if folded(k) != k}
    after = [names.get(k, k) for k in data]
    return names if len(set(after)) == len(after) else {}


class _HoldsRecords(Exception):
    """The first JSON Lines row is an object holding the records: read the file as one document."""


@dataclass
class Loaded:
    records: list[Record]
    path: Path
    container: str
    format: str
    skipped: list[DataError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    prompt_only: bool = False

    @classmethod
    def read(cls, source: Source) -> "Loaded":
        records = list(source)
        return cls(records, source.path, source.container, source.format or "", source.skipped, source.notes,
                   source.prompt_only)


def load(path: str | Path, format: str | None = None, **options: Any) -> Loaded:
    """The whole file at once; `options` are Source's (skip_invalid, split, mapping, json_path)."""
    return Loaded.read(Source(path, format, **options))


def save(records: Iterable[Record], path: str | Path, format: str = "contract", notes: list[str] | None = None) -> int:
    """Write atomically: if reading `records` fails midway, nothing appears at `path`. What
    the row shape cannot hold is counted and, when `notes` is given, said there."""
    path = Path(path)
    if format not in EXPORTERS:
        raise DataError(path, None, f"unknown output format {format!r}; known: {', '.join(EXPORTERS)}")
    export, losses = EXPORTERS[format], LOSSES[format]
    lost: Counter[str] = Counter()

    container = container_for_output(path)
    text_cells = container in TEXT_CELLS and format == "contract"

    def rows():
        for r in records:
            lost.update(losses(r))
            yield encode_added(export(r)) if text_cells else export(r)

    n = WRITERS[container](rows(), path)
    if notes is not None and lost:
        notes.append(f"{format} rows cannot hold " + ", ".join(f"{what} ({k} rows)" for what, k in lost.items())
                     + ": not written; --to contract keeps everything")
    return n

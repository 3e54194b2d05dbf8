"""Read any common instruction-data file into records, and write records back out.

    records = load("alpaca_data.json").records
    save(records, "out.parquet")                   # the contract, as Parquet
    save(records, "sft.jsonl", format="messages")  # chat messages for SFT

The container (JSON Lines, JSON array, Parquet, CSV, datasets directory) is detected from the
content; the row format (contract, Alpaca, Self-Instruct, Dolly, ShareGPT, OpenAI messages,
TRL prompt/completion) from the first row's fields, or named with `format=`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from seedling.errors import DataError
from seedling.formats.containers import READERS, WRITERS, container_for_output, detect_container
from seedling.formats.exporters import EXPORTERS
from seedling.formats.importers import IMPORTERS, Row, detect_importer
from seedling.record import Record

__all__ = ["EXPORTERS", "IMPORTERS", "Loaded", "Source", "load", "save"]


class Source:
    """One input, read lazily. Bad rows raise, or with `skip_invalid` are kept in `skipped`."""

    def __init__(
        self,
        path: str | Path,
        format: str | None = None,
        *,
        skip_invalid: bool = False,
        split: str | None = None,
    ):
        self.path = Path(path)
        if format is not None and format not in IMPORTERS:
            raise DataError(self.path, None, f"unknown format {format!r}; known: {', '.join(IMPORTERS)}")
        self.format = format
        self.container = detect_container(self.path)
        self.skip_invalid = skip_invalid
        self.split = split
        self.skipped: list[DataError] = []

    def _rows(self):
        if self.container == "datasets":
            return READERS["datasets"](self.path, self.split)
        return READERS[self.container](self.path)

    def __iter__(self) -> Iterator[Record]:
        importer = IMPORTERS.get(self.format) if self.format else None
        count = 0
        for where, data in self._rows():
            try:
                if isinstance(data, DataError):
                    raise data
                if importer is None:
                    importer = detect_importer(set(data))
                    if importer is None:
                        raise DataError(
                            self.path, where,
                            f"fields {sorted(data)} match no known format "
                            f"({', '.join(IMPORTERS)}); name one with --format",
                        )
                    self.format = importer.NAME
                records = list(importer.convert(Row(data, self.path, where)))
            except DataError as exc:
                if not self.skip_invalid:
                    raise
                self.skipped.append(exc)
                continue
            count += len(records)
            yield from records
        if count == 0:
            why = f"all {len(self.skipped)} rows were invalid" if self.skipped else "there are no records in it"
            raise DataError(self.path, None, f"holds no records: {why}")


@dataclass
class Loaded:
    records: list[Record]
    path: Path
    container: str
    format: str
    skipped: list[DataError] = field(default_factory=list)


def load(
    path: str | Path,
    format: str | None = None,
    *,
    skip_invalid: bool = False,
    split: str | None = None,
) -> Loaded:
    source = Source(path, format, skip_invalid=skip_invalid, split=split)
    records = list(source)
    return Loaded(records, source.path, source.container, source.format or "", source.skipped)


def save(records: Iterable[Record], path: str | Path, format: str = "contract") -> int:
    """Write atomically: if reading `records` fails midway, nothing appears at `path`."""
    path = Path(path)
    if format not in EXPORTERS:
        raise DataError(path, None, f"unknown output format {format!r}; known: {', '.join(EXPORTERS)}")
    export = EXPORTERS[format]
    return WRITERS[container_for_output(path)]((export(r) for r in records), path)

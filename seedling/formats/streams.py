"""Opening input files: gzip or not, decoded as UTF-8, damage reported as a DataError."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from seedling.errors import DataError

GZIP_MAGIC = b"\x1f\x8b"


class _Gzip(gzip.GzipFile):
    """A gzip stream whose damage (truncation, bad CRC, not gzip after all) is a DataError."""

    def __init__(self, path: Path):
        super().__init__(path, "rb")
        self.source = path

    def _checked(self, read, *args):
        try:
            return read(*args)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(self.source, None, f"is not a readable gzip file: {exc}") from None

    def read(self, *args):
        return self._checked(super().read, *args)

    def read1(self, *args):
        return self._checked(super().read1, *args)

    def readline(self, *args):
        return self._checked(super().readline, *args)

    def readinto(self, *args):
        return self._checked(super().readinto, *args)

    def peek(self, *args):
        return self._checked(super().peek, *args)


def open_binary(path: Path):
    with open(path, "rb") as f:
        compressed = f.read(2) == GZIP_MAGIC
    return _Gzip(path) if compressed else open(path, "rb")


def decode(raw: bytes, path: Path, where: str | None) -> str | DataError:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return DataError(
            path, where,
            f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1}); "
            "re-encode the file as UTF-8",
        )

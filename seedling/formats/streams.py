"""Opening input files: gzip or not, UTF-16 with a byte-order mark read as UTF-8, decoded as
UTF-8, damage reported as a DataError."""

from __future__ import annotations

import codecs
import gzip
import io
import zlib
from pathlib import Path

from seedling.errors import DataError

GZIP_MAGIC = b"\x1f\x8b"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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


class _Utf16(io.RawIOBase):
    """A UTF-16 file read as UTF-8 bytes, so every reader sees one encoding: PowerShell's `>`
    and Excel's "Unicode text" write UTF-16, and their byte-order mark says so."""

    def __init__(self, f, path: Path):
        self.f, self.source = f, path
        self.decoder = codecs.getincrementaldecoder("utf-16")()
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            chunk = self.f.read(1 << 16)
            try:
                self.pending = self.decoder.decode(chunk, final=not chunk).encode("utf-8")
            except UnicodeError as exc:
                raise DataError(self.source, None, f"is not valid UTF-16, as its byte-order mark says ({exc})") from None
            if not chunk:
                break
        n = min(len(buffer), len(self.pending))
        buffer[:n], self.pending = self.pending[:n], self.pending[n:]
        return n

    def close(self) -> None:
        self.f.close()
        super().close()


def open_binary(path: Path):
    """The file's bytes as UTF-8 where it says it is UTF-16, gunzipped where it is gzip."""
    with open(path, "rb") as f:
        compressed = f.read(2) == GZIP_MAGIC
    f = _Gzip(path) if compressed else open(path, "rb")
    if f.peek(2)[:2] in UTF16_BOMS:
        return io.BufferedReader(_Utf16(f, path))
    return f


def decode(raw: bytes, path: Path, where: str | None) -> str | DataError:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return DataError(
            path, where,
            f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1}); "
            "re-encode the file as UTF-8",
        )

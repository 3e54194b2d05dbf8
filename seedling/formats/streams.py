"""Opening input files: compressed (gzip, zstd, xz, bzip2) or not, UTF-16 with a byte-order mark
read as UTF-8, decoded as UTF-8, damage reported as a DataError."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import zlib
from pathlib import Path

from seedling.errors import DataError

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
BZIP2_BLOCKS = (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90")  # a block, or the end of an empty file


def compression(head: bytes) -> str | None:
    """Which compression the file's first bytes show, if any (the extension is not asked: a
    `datasets` download or a renamed file keeps its bytes, not its name)."""
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] in BZIP2_BLOCKS:
        return "bzip2"
    return None


def _decompressor(path: Path, kind: str):
    if kind == "zstd":
        import pyarrow as pa

        return pa.input_stream(str(path), compression="zstd")
    return {"gzip": gzip.GzipFile, "xz": lzma.LZMAFile, "bzip2": bz2.BZ2File}[kind](path, "rb")


class _Decompressed(io.RawIOBase):
    """A compressed file's content, whose damage (truncation, a bad checksum, not that
    compression after all) is a DataError naming the file."""

    def __init__(self, path: Path, kind: str):
        self.source, self.kind = path, kind
        self.f = self._checked(_decompressor, path, kind)

    def _checked(self, call, *args):
        try:
            return call(*args)
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            raise DataError(self.source, None, f"is not a readable {self.kind} file: {exc}") from None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._checked(self.f.read, len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if hasattr(self, "f"):
            self.f.close()
        super().close()


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
    """The file's bytes, decompressed where it is compressed, as UTF-8 where it says it is UTF-16."""
    with open(path, "rb") as f:
        kind = compression(f.read(10))
    f = io.BufferedReader(_Decompressed(path, kind), 1 << 16) if kind else open(path, "rb")
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

"""Atomic writes: an output appears whole or not at all, even after a crash or kill -9."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from seedling.errors import SeedlingError


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success move it into place, else delete it.

    The temp file lives in the target's directory so the final `os.replace` is a rename on
    one filesystem, which POSIX makes atomic.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, data: Any, indent: int = 2) -> None:
    write_text(path, json.dumps(data, indent=indent, ensure_ascii=False) + "\n")


@contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Yield a temporary directory beside `path`; on success it replaces `path` whole.

    For outputs that are directories (a saved adapter, a model): readers see the old one or
    the new one, never a mix. The swap is two renames, so a crash between them leaves the
    old directory under a `.old` name rather than a half-written new one.
    """
    import shutil
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        old = path.parent / f".{path.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if path.exists():
            os.rename(path, old)
        os.rename(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build_once(final: Path, complete: str, build: Callable[[Path], None]) -> Path:
    """Build a cached directory once: `build` fills a temp dir beside `final`, which is then
    renamed into place, so a crash never leaves a directory that looks complete. When two
    processes race, the first rename wins and the other discards its copy. `complete` names
    the file whose presence marks `final` as done."""
    import shutil
    import tempfile

    if (final / complete).is_file():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=final.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the cache may serve several users
    try:
        build(tmp)
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / complete).is_file():
                raise SeedlingError(f"{final} exists but is incomplete; delete it and retry") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final

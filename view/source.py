"""What `seedling view PATH` shows: curate's outputs found from a run directory, a curate output
directory, or any dataset file (curated with the defaults once, into a cache), and where the
decisions made on them are saved."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from seedling.errors import SeedlingError
from seedling.hashing import file_sha256
from seedling.models import cache_dir
from seedling.overrides import OVERRIDES
from seedling.run.layout import layout

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Source:
    data: Path  # curate's output directory: the only directory the server reads files from
    overrides: Path
    kept: Path
    removed: Path
    selection: Path
    audit: Path
    audit_page: Path
    map: Path
    positions: Path  # the input row of each kept, then removed line
    vectors: Path  # each input row's instruction vector
    groups: Path  # the groups curate keeps (shared passage, template variants, conflicts)
    title: str


def _files(out: Path) -> dict[str, Path]:
    """curate's files by role, as its plugin declares them (relative to a run, under curate/)."""
    return {role: out / Path(rel).name for role, rel in layout()["curate"].items()}


def _from_dir(out: Path, overrides: Path, title: str) -> Source:
    f = _files(out)
    return Source(out, overrides, f["kept"], f["removed"], f["selection"], f["audit"], f["audit_page"], f["map"],
                  f["positions"], f["vectors"], f["groups"], title)


def _curated_here(path: Path) -> bool:
    return _files(path)["kept"].exists()


def _curate_once(dataset: Path) -> Path:
    """A dataset file curated with the defaults into the cache, keyed by its content."""
    out = cache_dir() / "view" / "curated" / file_sha256(dataset)[:20]
    if not _curated_here(out):
        print(f"curating {dataset} with the defaults into {out} (once)", file=sys.stderr)
        command = [sys.executable, "-m", "seedling", "curate", str(dataset), "--out", str(out)]
        done = subprocess.run(command, check=False)
        if done.returncode != 0:
            raise SeedlingError(f"{dataset}: curating it for the view failed (exit {done.returncode})")
    return out


def resolve(path: Path) -> Source:
    path = path.resolve()
    if not path.exists():
        raise SeedlingError(f"{path}: no such file or directory")
    if path.is_dir() and (path / MANIFEST).exists():
        curate_dir = path / Path(layout()["curate"]["kept"]).parent
        if not _curated_here(curate_dir):
            raise SeedlingError(f"{path}: this run has no curate output yet ({curate_dir})")
        return _from_dir(curate_dir, path / OVERRIDES, path.name)
    if path.is_dir() and _curated_here(path):
        run = path.parent if (path.parent / MANIFEST).exists() else None
        return _from_dir(path, (run or path) / OVERRIDES, (run or path).name)
    if path.is_dir():
        raise SeedlingError(f"{path}: neither a run directory nor a curate output (no kept rows in it)")
    out = _curate_once(path)
    return _from_dir(out, out / OVERRIDES, path.name)

"""What the install holds: where the shipped data (seed tasks, bias lexicons) lives, for any stage
that reads it, and which version of a distribution is installed."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from seedling.errors import SeedlingError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_path(*parts: str) -> Path:
    """A file or folder under the repository's data/, which a source checkout or an editable
    install (what scripts/setup.sh makes) has beside the packages."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        raise SeedlingError(
            f"shipped data {path} is missing; seedling reads data/ from its source checkout, "
            "so install it with `pip install -e .` (scripts/setup.sh does) rather than from a wheel"
        )
    return path


def package_version(*dists: str) -> str | None:
    """The installed version of the first of `dists` that is installed."""
    for dist in dists:
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return None

"""Errors a user can act on: each names the file, the place in it and the problem."""

from __future__ import annotations

from pathlib import Path


class SeedlingError(Exception):
    """Base for errors shown to the user as one clear line, without a traceback."""


class DataError(SeedlingError):
    """A problem in an input file, located as precisely as the format allows.

    `where` is a human location such as "line 12" (JSON Lines, CSV), "item 3 (line 40)"
    (JSON arrays) or "row 7" (Parquet, datasets directories). `skippable` marks a bad row
    that skipping invalid rows would have passed over.
    """

    skippable = False

    def __init__(self, path: str | Path | None, where: str | None, problem: str):
        self.path = str(path) if path is not None else None
        self.where = where
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        place = ": ".join(p for p in (self.path, self.where) if p)
        return f"{place}: {self.problem}" if place else self.problem


class ConfigError(SeedlingError):
    """A config file or flag that does not validate."""


class ModelNotFound(SeedlingError):
    """A model that is neither a local path, an embedded default, nor in the local hub cache."""

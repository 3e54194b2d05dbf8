"""The stage plugins and where their files sit in a run directory. A plugin is an object (its
module's STAGE) that implements its role's protocol, checked when it is loaded. The run names
the stage directories; each plugin declares the files it writes there (OUTPUTS, by role), so the
core spells no stage's file name. The run records the whole layout in its manifest, and the
report reads it from there."""

from __future__ import annotations

import functools
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from seedling.artifacts import Judged, TuneEval
from seedling.run.rounds import Round
from seedling.run.summaries import CurateSummary
from seedling.errors import SeedlingError

PLUGINS = ("generate", "curate", "tune")

# stage -> (the plugin that does its work, its directory in the run); None: the folder the plugin
# names itself (generate writes under the run directory it is given, in its own DIR)
DIRS = {"generate": ("generate", None), "curate": ("curate", "curate"), "tune": ("tune", "tune"),
        "compare-raw": ("tune", "compare-raw/tune"), "compare-selected": ("tune", "compare-selected/tune"),
        "compare-random": ("tune", "compare-random/tune")}


@runtime_checkable
class StagePlugin(Protocol):
    """What every stage gives the run: its config section, its files by role, and the model a
    config names for the manifest."""

    OPTIONS: type
    OUTPUTS: dict[str, str]

    def describe(self, opts) -> dict[str, Any]: ...


@runtime_checkable
class GeneratePlugin(StagePlugin, Protocol):
    """Generation in rounds (the run audits between them)."""

    Rounds: type
    DIR: str  # the folder it writes in, inside the directory it is given

    def round_targets(self, num: int, rounds: int) -> list[int]: ...


@runtime_checkable
class CuratePlugin(StagePlugin, Protocol):
    def run(self, data: Path, out: Path, opts, reference: Path | None = None,
            overrides: Path | None = None) -> CurateSummary: ...

    def audit_round(self, data: Path, bounds: list[int], k: int, opts, reference: Path | None,
                    out: Path) -> Round: ...


@runtime_checkable
class TunePlugin(StagePlugin, Protocol):
    def run(self, data: Path, out: Path, opts, **students) -> TuneEval: ...

    def judge(self, held: Path, a: Path, b: Path, opts, names: tuple[str, str]) -> Judged: ...


ROLES: dict[str, type] = {"generate": GeneratePlugin, "curate": CuratePlugin, "tune": TunePlugin}


def _members(protocol: type) -> list[str]:
    names: list[str] = []
    for cls in protocol.__mro__:
        if cls is Protocol or not getattr(cls, "_is_protocol", False):
            continue
        names += [n for n in (*getattr(cls, "__annotations__", {}), *vars(cls)) if not n.startswith("_")
                  and n not in names]
    return names


def check(name: str, stage: object) -> object:
    """`stage` if it implements its role's protocol, else an error naming what it lacks."""
    protocol = ROLES.get(name, StagePlugin)
    if not isinstance(stage, protocol):
        missing = [m for m in _members(protocol) if not hasattr(stage, m)]
        raise SeedlingError(f"the {name} stage plugin {type(stage).__name__} does not implement "
                            f"{protocol.__name__}: it lacks {', '.join(missing)}")
    return stage


@functools.cache
def plugin(name: str):
    """A stage's plugin (its module's STAGE), from the `seedling.stages` entry points, checked."""
    found = {ep.name: ep for ep in entry_points(group="seedling.stages")}
    if name not in found:
        raise SeedlingError(f"the {name} stage is not installed (no `seedling.stages` entry point "
                            f"{name!r}); reinstall seedling with scripts/setup.sh")
    module = found[name].load()
    if not hasattr(module, "STAGE"):
        raise SeedlingError(f"the {name} stage module {module.__name__} has no STAGE plugin object")
    return check(name, module.STAGE)


def plugins() -> list:
    """Every installed stage plugin, checked."""
    return [plugin(ep.name) for ep in entry_points(group="seedling.stages")]


def layout() -> dict[str, dict[str, str]]:
    """Every stage's declared files by role, relative to the run directory."""
    return {stage: {role: f"{stage_dir(stage)}/{file}" for role, file in plugin(name).OUTPUTS.items()}
            for stage, (name, _) in DIRS.items()}


def stage_dir(stage: str) -> str:
    """The directory a stage's plugin writes into, relative to the run directory."""
    name, folder = DIRS[stage]
    return folder or plugin(name).DIR


def stage_file(stage: str, role: str) -> str:
    """One declared file of a stage, relative to the run directory."""
    return layout()[stage][role]

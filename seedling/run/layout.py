"""Where each stage's files sit in a run directory. The run names the stage directories; each
stage plugin declares the files it writes there (its module's OUTPUTS, by role), so the core
spells no stage's file name. The run records the whole layout in its manifest, and the report
reads it from there."""

from __future__ import annotations

import functools
from importlib.metadata import entry_points

from seedling.errors import SeedlingError

PLUGINS = ("generate", "curate", "tune")

# stage -> (the plugin that does its work, its directory in the run)
DIRS = {"generate": ("generate", "generate"), "curate": ("curate", "curate"), "tune": ("tune", "tune"),
        "compare-raw": ("tune", "compare-raw/tune"), "compare-selected": ("tune", "compare-selected/tune"),
        "compare-random": ("tune", "compare-random/tune")}


@functools.cache
def plugin(name: str):
    """A stage's plugin module, from the `seedling.stages` entry points."""
    found = {ep.name: ep for ep in entry_points(group="seedling.stages")}
    if name not in found:
        raise SeedlingError(f"the {name} stage is not installed (no `seedling.stages` entry point "
                            f"{name!r}); reinstall seedling with scripts/setup.sh")
    return found[name].load()


def layout() -> dict[str, dict[str, str]]:
    """Every stage's declared files by role, relative to the run directory."""
    return {stage: {role: f"{folder}/{file}" for role, file in plugin(name).OUTPUTS.items()}
            for stage, (name, folder) in DIRS.items()}


def stage_dir(stage: str) -> str:
    """The directory a stage's plugin writes into, relative to the run directory."""
    return DIRS[stage][1]


def stage_file(stage: str, role: str) -> str:
    """One declared file of a stage, relative to the run directory."""
    return layout()[stage][role]

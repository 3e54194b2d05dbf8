"""A run directory's identity and resume policy, one for the run and every stage.

A directory holds one run, named by an identity file inside it. The same identity resumes
it; a different one is refused, naming what changed, or (where the caller allows) the old
run is moved aside, kept and never deleted; work without an identity is refused. So two
configs never silently mix in one directory. An option that an upgrade of seedling added is
not a change of run while this run holds it at its default (`upgraded`): an upgrade alone
never refuses a resume or reruns a finished stage.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from pydantic import BaseModel
from seedling.errors import ConfigError, SeedlingError
from seedling.formats.atomic import write_json


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The keys whose values differ, sorted: what a refusal names."""
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def stored(value: Any) -> Any:
    """`value` as JSON gives it back: how an identity compares with one read from disk."""
    return json.loads(json.dumps(value, default=str))


def option_defaults(options: type[BaseModel]) -> dict[str, Any]:
    """Each option's default as stored; a group of options as a dict of its own; options
    without a default left out."""
    found = {}
    for name, field in options.model_fields.items():
        if not field.is_required():
            value = field.get_default(call_default_factory=True)
            found[name] = stored(value.model_dump() if isinstance(value, BaseModel) else value)
    return found


def upgraded(before: Mapping[str, Any], now: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """`before` (a stored identity) with the options it lacks that `now` holds at their default
    in `defaults`, at any depth of groups; an option set away from its default stays a change."""
    out = dict(before)
    for key, value in now.items():
        default = defaults.get(key)
        if key not in before:
            if key in defaults and value == default:
                out[key] = value
        elif isinstance(value, dict) and isinstance(before[key], dict) and isinstance(default, dict):
            out[key] = upgraded(before[key], value, default)
    return out


def settled(path: Path, identity: dict[str, Any], upgrade: Callable[[dict], dict] = lambda d: d) -> dict[str, Any]:
    """The identity stored at `path`, with what `upgrade` fills in of what it lacks; stored anew
    where that makes it `identity` (given as stored), so the next look finds it as it is."""
    before = json.loads(path.read_text(encoding="utf-8"))
    if before != identity:
        before = upgrade(before)
        if before == identity:
            write_json(path, identity)
    return before


def claim(root: Path, name: str, identity: dict[str, Any], *, advice: str, stray: str | None = None,
          move_aside: bool = False, view: Callable[[dict], Mapping[str, Any]] = lambda d: d,
          upgrade: Callable[[dict], dict] = lambda d: d, error: type[SeedlingError] = ConfigError) -> bool:
    """Claim `root` for the run `identity`, stored as `root/name`; True when it already holds
    this run (resume it), also once `upgrade` has filled in what a stored identity lacks, which
    is then stored anew. A different run is refused with `advice`, naming the changed keys of
    `view(identity)`, or with `move_aside` moved beside `root` under a timestamp. Without an
    identity file, `stray` (the caller's finding that `root` holds someone's work) is the refusal."""
    path = root / name
    identity = stored(identity)
    if path.is_file():
        before = settled(path, identity, upgrade)
        if before == identity:
            return True
        if not move_aside:
            raise error(f"{root} holds a run with a different config "
                        f"(changed: {', '.join(changed(view(before), view(identity)))}); {advice}")
        shutil.move(root, root.with_name(f"{root.name}.{time.strftime('%Y%m%d-%H%M%S')}"))
    elif stray is not None:
        raise error(stray)
    root.mkdir(parents=True, exist_ok=True)
    write_json(path, identity)
    return False

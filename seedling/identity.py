"""A run directory's identity and resume policy, one for the run and every stage.

A directory holds one run, named by an identity file inside it. The same identity resumes
it; a different one is refused, naming what changed, or (where the caller allows) the old
run is moved aside, kept and never deleted; work without an identity is refused. So two
configs never silently mix in one directory.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from seedling.errors import ConfigError, SeedlingError
from seedling.formats.atomic import write_json


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The keys whose values differ, sorted: what a refusal names."""
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def claim(root: Path, name: str, identity: dict[str, Any], *, advice: str, stray: str | None = None,
          move_aside: bool = False, view: Callable[[dict], Mapping[str, Any]] = lambda d: d,
          error: type[SeedlingError] = ConfigError) -> bool:
    """Claim `root` for the run `identity`, stored as `root/name`; True when it already holds
    this run (resume it). A different run is refused with `advice`, naming the changed keys of
    `view(identity)`, or with `move_aside` moved beside `root` under a timestamp. Without an
    identity file, `stray` (the caller's finding that `root` holds someone's work) is the refusal."""
    path = root / name
    identity = json.loads(json.dumps(identity, default=str))  # compare as it is stored
    if path.is_file():
        before = json.loads(path.read_text(encoding="utf-8"))
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

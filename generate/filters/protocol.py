"""A filter looks at one candidate instruction and names the reason to reject it, or None.

Every rejection is counted by that reason, live and in stats.json, so a user sees exactly what
a run throws away and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Origin:
    """What the candidate was generated from: its in-context examples and the prompt text."""

    examples: tuple[str, ...] = ()
    prompt: str = ""


class Filter(Protocol):
    def __call__(self, text: str, origin: Origin) -> str | None: ...

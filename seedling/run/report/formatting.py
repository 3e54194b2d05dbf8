"""Numbers and durations as a person reads them, for the report's template."""

from __future__ import annotations

from typing import Any

import jinja2


def duration(seconds: float | None) -> str:
    if seconds is None or isinstance(seconds, jinja2.Undefined):
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, s = divmod(round(seconds), 60)
    return f"{minutes} min {s:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"

def fmt(value: Any, digits: int = 3) -> str:
    """Numbers for people: thousands separated, floats to a few significant decimals."""
    if value is None or isinstance(value, jinja2.Undefined):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}" if abs(value) < 1000 else f"{value:,.0f}"

def pct(value: float | None) -> str:
    return "–" if value is None or isinstance(value, jinja2.Undefined) else f"{value * 100:.1f} %"

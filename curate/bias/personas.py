"""The personas generated rows were written for (`meta.persona`, from generate's persona
method): rows per axis and group, so a run balanced over an axis on purpose shows it beside the
mentions the audit finds in the text. A persona conditions the prompt and need not appear in
the row, so these counts come from provenance, not from the text."""

from __future__ import annotations

from collections import Counter

from seedling.record import Record


def persona_counts(records: list[Record]) -> dict | None:
    """None when no row carries a persona."""
    found = [r.meta.get("persona") for r in records]
    found = [p for p in found if isinstance(p, dict) and p.get("axis")]
    if not found:
        return None
    by_axis: dict[str, Counter] = {}
    for p in found:
        by_axis.setdefault(p["axis"], Counter())[p.get("group", "")] += 1
    return {"rows": len(found), "source": "meta.persona (generate's persona method)",
            "axes": {axis: dict(sorted(c.items())) for axis, c in sorted(by_axis.items())}}

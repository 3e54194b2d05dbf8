"""Same context is not same task: rows that share a long input but ask different things are
distinct examples (reading comprehension, QA over one document). They are reported as groups
so a person sees them, never removed for sharing the passage."""

from __future__ import annotations

from seedling.text import normalize, text_hash
from seedling.record import Record


def shared_context_groups(records: list[Record], min_chars: int) -> list[dict]:
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        if len(r.input) >= min_chars:
            groups.setdefault(text_hash(normalize(r.input)), []).append(i)
    out = []
    for rows in groups.values():
        tasks = {normalize(records[i].instruction) for i in rows}
        if len(rows) > 1 and len(tasks) > 1:
            out.append({"rows": rows, "distinct_instructions": len(tasks),
                        "input_preview": records[rows[0]].input[:160]})
    return sorted(out, key=lambda g: -len(g["rows"]))

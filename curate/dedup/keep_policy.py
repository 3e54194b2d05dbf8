"""Which member of a duplicate group stays, stated once: a human seed over generated or
imported rows, then the higher quality score, then the longer output, then the earlier row."""

from __future__ import annotations

from seedling.record import Record

POLICY = "seed over generated/imported, then higher quality score, then longer output, then earlier row"


def keep_priority(records: list[Record], quality: list[float]) -> list[int]:
    """Rank of each row (0 = kept first)."""
    order = sorted(
        range(len(records)),
        key=lambda i: (records[i].source != "seed", -quality[i], -len(records[i].output), i),
    )
    rank = [0] * len(records)
    for r, i in enumerate(order):
        rank[i] = r
    return rank

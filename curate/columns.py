"""The columns curate adds to every row (cluster, quality, flags) and to removed rows
(removed_by, reason, score, dup_of = id of the row kept instead); null columns stay absent."""

from __future__ import annotations

from curate.dedup import Removal
from seedling.record import Record


def _final_representative(removals: list[Removal]) -> dict[int, int | None]:
    """A row removed as a copy of a row that a later tier removed points at the row that stayed."""
    dup_of = {r.index: r.dup_of for r in removals}
    final = {}
    for i in dup_of:
        j, seen = dup_of[i], {i}
        while j is not None and j in dup_of and j not in seen:
            seen.add(j)
            j = dup_of[j]
        final[i] = j
    return final


def annotate(records, labels, qualities, flags, removals, scores=None) -> tuple[list[Record], list[Record], list[Record]]:
    """`scores`: one dict of model-based score columns a row (curate.scores), or None."""
    by_row = {r.index: r for r in removals}
    rep = _final_representative(removals)
    rows, kept, removed = [], [], []
    for i, rec in enumerate(records):
        extra = {**rec.extra, "cluster": int(labels[i]), "quality": qualities[i], **(scores[i] if scores else {})}
        if flags[i]:
            extra["flags"] = flags[i]
        gone = by_row.get(i)
        if gone is not None:
            if rep.get(i) is not None:
                extra["dup_of"] = records[rep[i]].id
            extra.update(removed_by=gone.tier, reason=gone.reason)
            if gone.score is not None:
                extra["score"] = gone.score
        row = rec.with_extra(extra)
        rows.append(row)
        (removed if gone else kept).append(row)
    return rows, kept, removed

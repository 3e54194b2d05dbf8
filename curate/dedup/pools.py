"""One prompt with several answers is a conflict in a set of examples, and the very point of a
pool of answers: several models' answers to one instruction (AlpacaEval, UltraFeedback), or an
annotated tree's ranked replies (OpenAssistant). A group is a pool when its rows say so: each
holds the `answer_number` the pool importers give, or names its answerer, and they differ."""

from __future__ import annotations

from seedling.record import Record

ANSWERERS = ("generator", "model", "model_name")


def pooled(records: list[Record], group: list[int]) -> bool:
    metas = [records[i].meta for i in group]
    if all("answer_number" in m for m in metas):
        return True
    for key in ANSWERERS:
        names = [m.get(key) for m in metas]
        if all(isinstance(n, str) and n for n in names) and len(set(names)) > 1:
            return True
    return False


def split(records: list[Record], groups: list[list[int]]) -> tuple[list[list[int]], list[list[int]]]:
    """The groups that conflict, and those that are pools of answers."""
    pools = [pooled(records, g) for g in groups]
    return [g for g, p in zip(groups, pools) if not p], [g for g, p in zip(groups, pools) if p]

"""Independent examples: the unit the bias audit counts. Rows that ask several questions about
one passage, one example under several templates, one prompt answered several times (a pool of
many models' answers) and a row with the copies dedup removed carry one piece of evidence
between them, not one per row: ten questions about one novel excerpt that says "she" are one
example of a woman mentioned, and thirty answers to "babysit my three boys" are one example of
boys, not thirty. Rows joined by any of these relations (transitively) form one unit; every
other row is a unit of its own."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

RULE = ("rows that share a passage (dedup's shared-context groups), that are template variants of one example, "
        "that answer one prompt (dedup's conflicts), or that are copies dedup removed count as one independent "
        "example")


SHARED_ONLY = "rows that share a passage (dedup's shared-context groups) count as one independent example"


def independent_units(n: int, groups: Iterable[Sequence[int]] = (),
                      pairs: Iterable[tuple[int, int]] = ()) -> np.ndarray:
    """Per row, the label of its unit (0..units-1, in order of each unit's first row)."""
    a, b = [], []
    for g in groups:
        g = list(g)
        a += g[:1] * (len(g) - 1)
        b += g[1:]
    for i, j in pairs:
        a.append(i)
        b.append(j)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))),
                       shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    _, first = np.unique(labels, return_index=True)  # relabel so unit ids follow the rows' order
    order = np.empty(len(first), dtype=np.int64)
    order[np.argsort(first)] = np.arange(len(first))
    return order[labels]


def from_dedup(n: int, context_groups: Iterable[dict], variants: Iterable[tuple], removals: Iterable,
               conflicts: Iterable[Sequence[int]] = ()) -> np.ndarray:
    """Units from dedup's public results: shared-context groups (dicts with "rows"), template-variant
    pairs (i, j, score), removals (each with `index` and `dup_of`) and conflicts (rows of one
    prompt with different answers)."""
    pairs = [(i, j) for i, j, *_ in variants]
    pairs += [(r.index, r.dup_of) for r in removals if r.dup_of is not None]
    return independent_units(n, [*(g["rows"] for g in context_groups), *conflicts], pairs)


def describe(units: np.ndarray, source: str) -> dict:
    sizes = np.bincount(units) if len(units) else np.zeros(0, dtype=np.int64)
    return {"rows": int(len(units)), "independent_examples": int(len(sizes)),
            "rows_in_shared_units": int(sizes[sizes > 1].sum()), "largest_unit_rows": int(sizes.max(initial=0)),
            "rule": {"dedup": RULE, "shared_context": SHARED_ONLY}.get(source, "each row is its own example (no dedup "
                                                                             "groups were given)"),
            "source": source}

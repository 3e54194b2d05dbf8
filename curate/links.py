"""What `seedling view` links rows by, written beside curate's rows: the input row of each output
line, each input row's instruction vector (the view finds a row's nearest rows from them when
the row is opened), and the groups dedup finds but keeps (rows sharing a passage, template
variants of one example, one prompt with conflicting answers or a pool of answers), each with its
rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from curate.dedup import DedupResult
from curate.dedup.pools import pooled
from curate.files import GROUPS, POSITIONS, VECTORS
from seedling.formats.atomic import atomic_path, write_text
from seedling.record import Record
from seedling.text import preview

ABOUT = 160  # characters of what a group shares, quoted on the row's page


def _variant_groups(n: int, pairs: list[tuple[int, int, float]]) -> list[list[int]]:
    """Template variants come as pairs; a group is a connected set of them."""
    if not pairs:
        return []
    i, j = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    _, label = connected_components(coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)), directed=False)
    members = np.unique(np.concatenate([i, j]))
    order = members[np.argsort(label[members], kind="stable")]
    return [g.tolist() for g in np.split(order, np.flatnonzero(np.diff(label[order])) + 1)]


def row_groups(records: list[Record], dedup: DedupResult, context_groups: list[dict]) -> list[dict[str, Any]]:
    """Each group with its kind, its rows (input order) and what they share."""
    out = [{"kind": "passage", "rows": g["rows"], "about": g["passage_preview"]} for g in context_groups]
    out += [{"kind": "variants", "rows": g, "about": preview(records[g[0]].output, ABOUT)}
            for g in _variant_groups(len(records), dedup.variants)]
    out += [{"kind": "pool" if pooled(records, g) else "conflict", "rows": sorted(g),
             "about": preview(records[g[0]].prompt, ABOUT)} for g in dedup.conflicts]
    return out


def positions(rows: list[Record], lines: list[Record]) -> np.ndarray:
    """The input row of each output line (-1 for a row curate made, such as a counterfactual
    copy). Rows are matched by object: exact copies share an id but are distinct rows."""
    index = {id(r): i for i, r in enumerate(rows)}
    return np.array([index.get(id(r), -1) for r in lines], dtype=np.int64)


def _save(path: Path, array: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.save(f, array)


def write(result: Any, out: Path) -> list[Path]:
    """positions.npy (kept.jsonl's lines, then removed.jsonl's), vectors.npy, groups.jsonl."""
    _save(out / POSITIONS, positions(result.rows, result.kept + result.removed))
    _save(out / VECTORS, np.asarray(getattr(result.instruction_vectors, "half", np.zeros((0, 0))), dtype=np.float16))
    write_text(out / GROUPS, "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in result.groups))
    return [out / POSITIONS, out / VECTORS, out / GROUPS]

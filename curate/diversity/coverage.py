"""Coverage of a reference set: the share of its items with a neighbour in ours at least as
close as the embedder's coverage threshold, and the reference clusters we miss."""

from __future__ import annotations

import numpy as np

from curate.diversity.clusters import summarize as cluster

BLOCK = 2048
MAX_TARGETS = 24  # uncovered items of a missed cluster that steering aims at one by one
NEIGHBOURS = 7  # nearest reference items shown with each: a prompt's in-context examples


def nearest_similarity(ref: np.ndarray, ours: np.ndarray) -> np.ndarray:
    if len(ours) == 0:
        return np.zeros(len(ref), dtype=np.float32)
    return np.concatenate([(ref[s:s + BLOCK] @ ours.T).max(axis=1) for s in range(0, len(ref), BLOCK)]) \
        if len(ref) else np.zeros(0, dtype=np.float32)


def by_centrality(ref: np.ndarray, members: np.ndarray) -> np.ndarray:
    """The members, nearest their cluster's mean first: the first is the instruction that best
    says what the cluster is, and those after it read most like it."""
    rows = np.flatnonzero(members)
    return rows[np.argsort(-(ref[rows] @ ref[rows].mean(axis=0)), kind="stable")]


def landed(ref: np.ndarray, labels: np.ndarray, ours: np.ndarray, k: int) -> np.ndarray:
    """Our rows per reference cluster, each row counted in the cluster of its nearest reference item."""
    if len(ours) == 0 or len(ref) == 0:
        return np.zeros(k, dtype=np.int64)
    nearest = np.concatenate([(ours[s:s + BLOCK] @ ref.T).argmax(axis=1) for s in range(0, len(ours), BLOCK)])
    return np.bincount(labels[nearest], minlength=k)


def targets(ref: np.ndarray, ref_texts: list[str], items: np.ndarray, best: np.ndarray) -> list[dict]:
    """Each uncovered item (the farthest from our rows first, at most MAX_TARGETS) with its
    nearest other reference items: a prompt that shows these just before it asks the teacher
    for a task that close, where a prompt showing the region at large lands between its items."""
    items = items[np.argsort(best[items], kind="stable")][:MAX_TARGETS]
    if len(items) == 0:
        return []
    sims = ref[items] @ ref.T
    sims[np.arange(len(items)), items] = -np.inf
    nearest = np.argsort(-sims, axis=1, kind="stable")[:, :min(NEIGHBOURS, len(ref) - 1)]
    return [{"instruction": ref_texts[i], "neighbours": [ref_texts[j] for j in row]} for i, row in zip(items, nearest)]


def coverage(ref: np.ndarray, ref_texts: list[str], ours: np.ndarray, threshold: float) -> dict:
    best = nearest_similarity(ref, ours)
    covered = best >= threshold
    clusters = cluster(ref, ref_texts)
    rows_landed = landed(ref, clusters["labels"], ours, len(clusters["clusters"]))
    missed = []
    for c in clusters["clusters"]:
        members = clusters["labels"] == c["cluster"]
        share = float(covered[members].mean()) if members.any() else 0.0
        c["covered_share"] = round(share, 4)
        c["rows_landed"] = int(rows_landed[c["cluster"]])
        order = by_centrality(ref, members) if members.any() else np.zeros(0, np.int64)
        c["central"] = ref_texts[order[0]] if len(order) else ""
        if share < 0.5:
            # Listed nearest the centre first, so the examples shown beside the region's hint
            # (its central instruction) read like it; a mixed cluster's first members by index did not.
            missing = order[~covered[order]]
            uncovered = [ref_texts[i] for i in missing[:6]]
            missed.append({"cluster": c["cluster"], "label": c["label"], "size": c["size"],
                           "covered_share": round(share, 4), "uncovered_examples": [t[:120] for t in uncovered[:3]],
                           "uncovered": uncovered, "central": c["central"],
                           "rows_landed": c["rows_landed"], "targets": targets(ref, ref_texts, missing, best)})
    return {
        "reference_items": int(len(ref)), "threshold": threshold,
        "covered": int(covered.sum()), "covered_share": round(float(covered.mean()), 4) if len(ref) else 0.0,
        "reference_clusters": [{k: v for k, v in c.items() if k != "examples"} for c in clusters["clusters"]],
        "missed_clusters": missed,
        "uncovered_examples": [ref_texts[i][:120] for i in np.argsort(best)[:5]] if len(ref) else [],
    }

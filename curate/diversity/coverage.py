"""Coverage of a reference set: the share of its items with a neighbour in ours at least as
close as the embedder's coverage threshold, and the reference clusters we miss."""

from __future__ import annotations

import numpy as np

from curate.diversity.clusters import summarize as cluster

BLOCK = 2048


def nearest_similarity(ref: np.ndarray, ours: np.ndarray) -> np.ndarray:
    if len(ours) == 0:
        return np.zeros(len(ref), dtype=np.float32)
    return np.concatenate([(ref[s:s + BLOCK] @ ours.T).max(axis=1) for s in range(0, len(ref), BLOCK)]) \
        if len(ref) else np.zeros(0, dtype=np.float32)


def coverage(ref: np.ndarray, ref_texts: list[str], ours: np.ndarray, threshold: float) -> dict:
    best = nearest_similarity(ref, ours)
    covered = best >= threshold
    clusters = cluster(ref, ref_texts)
    missed = []
    for c in clusters["clusters"]:
        members = clusters["labels"] == c["cluster"]
        share = float(covered[members].mean()) if members.any() else 0.0
        c["covered_share"] = round(share, 4)
        if share < 0.5:
            uncovered = [ref_texts[i] for i in np.flatnonzero(members & ~covered)[:6]]
            missed.append({"cluster": c["cluster"], "label": c["label"], "size": c["size"],
                           "covered_share": round(share, 4), "uncovered_examples": [t[:120] for t in uncovered[:3]],
                           "uncovered": uncovered})
    return {
        "reference_items": int(len(ref)), "threshold": threshold,
        "covered": int(covered.sum()), "covered_share": round(float(covered.mean()), 4) if len(ref) else 0.0,
        "reference_clusters": [{k: v for k, v in c.items() if k != "examples"} for c in clusters["clusters"]],
        "missed_clusters": missed,
        "uncovered_examples": [ref_texts[i][:120] for i in np.argsort(best)[:5]] if len(ref) else [],
    }

"""Tier 2: near duplicates by MinHash LSH (rensa) on word 3-gram shingles.

Candidates come from the instruction + output shingles (not the input, so rows that share a
long passage are not even proposed); each candidate pair is then confirmed with exact Jaccard:
instruction + output at least the threshold, and the inputs too when either row has one.
"""

from __future__ import annotations

from rensa import RMinHash, RMinHashLSH

from curate.dedup.context import DedupContext
from curate.dedup.result import TierOutcome, resolve_pairs
from seedling.text import jaccard, shingles

NUM_PERM = 128
NUM_BANDS = 32  # 4 rows a band: pairs from about Jaccard 0.4 up are proposed, then confirmed


def run(ctx: DedupContext, alive: list[int]) -> TierOutcome:
    threshold = ctx.options.near_threshold
    task = {i: shingles(ctx.records[i].instruction) | shingles(ctx.records[i].output) for i in alive}
    lsh = RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=NUM_BANDS)
    hashes = {}
    for i in alive:
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(sorted(task[i]) or [""])
        hashes[i] = m
        lsh.insert(i, m)
    proposed = confirmed = 0
    pairs = []
    for i in alive:
        for j in lsh.query(hashes[i]):
            if j <= i:
                continue
            proposed += 1
            score = jaccard(task[i], task[j])
            a, b = ctx.records[i].input, ctx.records[j].input
            if score >= threshold and (not (a or b) or jaccard(shingles(a), shingles(b)) >= threshold):
                confirmed += 1
                pairs.append((i, j, score))
    removals = resolve_pairs(pairs, ctx.priority, "near",
                             lambda s: f"near: word 3-gram Jaccard {s:.2f} >= {threshold} (instruction+output; input too)")
    return TierOutcome("near", len(alive), removals,
                       {"threshold": threshold, "proposed_pairs": proposed, "confirmed_pairs": confirmed})

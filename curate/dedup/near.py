"""Tier 2: near duplicates and template variants, proposed by MinHash LSH (rensa) on the
prompt's content 3-grams (template wording left out, so two templates of one example meet)
and by the same informative answer (a short instruction with one word dropped and two
swapped keeps too few 3-grams for LSH to propose it), and decided pair by pair in `compare`:
a shared passage is set aside, a one-word answer proves nothing, and a pair that differs only
in template wording is a variant, not a copy."""

from __future__ import annotations

import numpy as np

from curate import parallel
from curate.dedup import lsh
from curate.dedup.align import Known
from curate.dedup.compare import compare_many, load_kernels
from curate.dedup.context import DedupContext
from curate.dedup.fields import compared
from curate.dedup.grams import gram_sets, member
from curate.dedup.result import TierOutcome, resolve_pairs

NUM_BANDS = 32  # 4 rows a band: pairs from about Jaccard 0.4 up are proposed, then confirmed
BORDER = 0.05
PAIRS_A_CORE = 5000  # fewer pairs than this a core are judged here: a fork costs more
SAME_ANSWER_ROWS = 64  # rows sharing one answer past this are left to LSH (pairs grow with the square)


def content_sets(anatomy, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, ids): each row's 3-grams outside template wording (all of them where every one
    is template wording), so two templates of one example meet."""
    offsets, ids = gram_sets(anatomy.tokens, anatomy.offsets, rows)
    boilerplate = member(ids, anatomy.boilerplate)
    owner = np.repeat(np.arange(len(rows)), np.diff(offsets))
    own = np.bincount(owner[~boilerplate], minlength=len(rows))
    keep = ~boilerplate | (own == 0)[owner]
    return np.concatenate(([0], np.cumsum(np.bincount(owner[keep], minlength=len(rows))))), ids[keep]


def same_answer_pairs(anatomy, alive: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of alive rows that give the same informative answer."""
    rows = alive[anatomy.informative[alive]]
    groups: dict[bytes, list[int]] = {}
    for r in rows.tolist():
        groups.setdefault(anatomy.answer_keys[r], []).append(r)
    return {(a, b) for g in groups.values() if 1 < len(g) <= SAME_ANSWER_ROWS
            for k, a in enumerate(g) for b in g[k + 1:]}


def _judged(anatomy, pairs: list[tuple[int, int]], threshold: float, prompts_only: bool):
    """The pairs' verdicts, and the measures of the aligned pairs of two evidence rows: the
    semantic tier judges only such rows, and reads these instead of aligning the pairs again."""
    measured: list = []
    verdicts = compare_many(anatomy, pairs, threshold, prompts_only, measured)
    evidence = anatomy.informative
    return verdicts, Known.of([m for m in measured if evidence[m[0]] and evidence[m[1]]])


def run(ctx: DedupContext, alive: list[int]) -> TierOutcome:
    threshold = ctx.options.near_threshold
    anatomy = ctx.anatomy
    rows = np.asarray(alive, dtype=np.int64)
    first, second = lsh.candidates(len(rows), lambda start, stop: content_sets(anatomy, rows[start:stop]), NUM_BANDS,
                                   ctx.executor)
    by_lsh = set(zip(rows[first].tolist(), rows[second].tolist()))
    extra = sorted(same_answer_pairs(anatomy, rows) - by_lsh - {(j, i) for i, j in by_lsh})
    proposed = len(by_lsh) + len(extra)
    prompts_only = compared(ctx).prompts
    pairs = [*zip(rows[first].tolist(), rows[second].tolist()), *extra]
    load_kernels(anatomy)
    parts = parallel.chunks(lambda start, stop: _judged(anatomy, pairs[start:stop], threshold, prompts_only),
                            len(pairs), PAIRS_A_CORE)
    ctx.known = Known.merged([known for _, known in parts])
    duplicates, variants, judged = [], [], []
    for (i, j), verdict in zip(pairs, (v for part, _ in parts for v in part)):
        if verdict is None:
            continue
        if verdict.kind == "variant":
            variants.append((i, j, verdict.score))
            continue
        judged.append((i, j, verdict.score))
        if verdict.kind == "duplicate":
            duplicates.append((i, j, verdict.score, verdict.detail))
    reasons = {frozenset((i, j)): detail for i, j, _, detail in duplicates}
    removals = resolve_pairs([(i, j, s) for i, j, s, _ in duplicates], ctx.priority, "near",
                             lambda row, kept, _s: f"near: {reasons[frozenset((row, kept))]}")
    border = sorted((p for p in judged if abs(p[2] - threshold) <= BORDER), key=lambda p: -p[2])
    return TierOutcome("near", len(alive), removals,
                       {"threshold": threshold, "proposed_pairs": proposed, "confirmed_pairs": len(duplicates),
                        "same_answer_pairs": len(extra), "variant_pairs": len(variants),
                        "boilerplate_min_prompts": anatomy.boilerplate_df,
                        "pair_scores": [round(s, 4) for _, _, s in judged], "borderline_pairs": border},
                       variants=variants)


"""The dedup-only parts of bench/curate.py: a pool of prompts (QQP) with and without the prompt
model, and the dedup path beside semhash on the same rows."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.curate_sets import qqp_pairs
from curate.options import CurateOptions
from curate.pipeline import curate
from seedling.formats import load
from seedling.record import Record
from seedling.text import normalize, strip_markers


def same_text(a: str, b: str) -> bool:
    return normalize(strip_markers(a)) == normalize(strip_markers(b))


def prompt_only(path: Path, embedder) -> dict:
    """The QQP pool scored as curate scores it, and beside it the static model alone (no prompt
    model): precision and recall of both, and what the prompt model costs in time on a pool of
    PROMPT_POOL short prompts (sentences of the T0 dev set's passages, `sentence_pool`)."""
    pairs = qqp_pairs(path)
    questions = list(dict.fromkeys(q for a, b, _ in pairs for q in (a, b)))
    rows = [Record(q, "", source="imported:qqp") for q in questions]
    out = _prompt_figures(rows, questions, pairs, embedder)
    if getattr(getattr(embedder, "calibration", None), "prompt_model", None):
        alone = _without_prompt_model(embedder)
        out["static_alone"] = _prompt_figures(rows, questions, pairs, alone)
        out["sentences"] = _side_by_side(sentence_pool(path, PROMPT_POOL), embedder, alone)
    return out


PROMPT_POOL = 4000
SENTENCE = re.compile(r"(?<=[.?!])\s+")


def sentence_pool(path: Path, n: int) -> list[Record]:
    """`n` distinct sentences of 8-40 words from the set's prompts, each a prompt with no answer."""
    seen: dict[str, None] = {}
    for r in load(path).records:
        for s in SENTENCE.split(r.prompt):
            if 8 <= len(s.split()) <= 40:
                seen.setdefault(" ".join(s.split()))
        if len(seen) >= n:
            break
    return [Record(s, "", source="imported:t0-sentences") for s in list(seen)[:n]]


def _without_prompt_model(embedder):
    import copy
    import dataclasses

    alone = copy.copy(embedder)
    alone.calibration = dataclasses.replace(embedder.calibration, prompt_model=None)
    return alone


def _side_by_side(rows: list[Record], embedder, alone, repeats: int = 3) -> dict:
    """Dedup of a pool of prompts with and without the prompt model, alternating, medians."""
    with_s, alone_s = [], []
    for _ in range(repeats):
        seconds, removed_with = dedup_only(rows, embedder)
        with_s.append(seconds)
        seconds, removed_alone = dedup_only(rows, alone)
        alone_s.append(seconds)
    return {"rows": len(rows), "with_prompt_model_s": [round(x, 2) for x in with_s],
            "static_alone_s": [round(x, 2) for x in alone_s], "removed_with": len(removed_with),
            "removed_alone": len(removed_alone), "cost_ratio": round(float(np.median(with_s) / np.median(alone_s)), 2)}


def _prompt_figures(rows: list[Record], questions: list[str], pairs, embedder) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        result = curate(rows, CurateOptions(cache=cache, tiers=["exact", "near", "semantic"]), embedder=embedder)
        total = time.perf_counter() - t
    semantic_tier = result.dedup.tier("semantic")
    return {**pair_figures({r.index: r.dup_of for r in result.dedup.removals}, questions, pairs),
            "compared": semantic_tier.details.get("compared") if semantic_tier else None,
            "threshold": semantic_tier.details.get("threshold") if semantic_tier else None,
            "data_floors": semantic_tier.details.get("data_floors") if semantic_tier else None,
            "scored_by": semantic_tier.details.get("scored_by") if semantic_tier else None,
            "rescored_rows": semantic_tier.details.get("rescored_rows") if semantic_tier else None,
            "semantic_s": semantic_tier.seconds if semantic_tier else None,
            "removed_by_tier": {t.name: len(t.removals) for t in result.dedup.tiers},
            "curate_s": round(total, 2)}


def pair_figures(dup_of: dict[int, int | None], questions: list[str], pairs) -> dict:
    """Precision and recall of removals (row -> the row kept instead) on the labelled pairs."""
    at = {q: i for i, q in enumerate(questions)}
    labelled = {frozenset((at[a], at[b])): same for a, b, same in pairs}
    linked = [frozenset((i, k)) for i, k in dup_of.items() if k is not None]
    judged = [p for p in linked if p in labelled]
    found = {p for p in judged if labelled[p]}
    return {"questions": len(questions), "pairs": len(pairs), "paraphrase_pairs": sum(s for *_, s in pairs),
            "removed": len(dup_of), "removals_in_labelled_pairs": len(judged),
            "precision": round(len(found) / max(len(judged), 1), 3),
            "recall": round(len(found) / max(sum(s for *_, s in pairs), 1), 3),
            "both_of_a_pair_removed": sum(at[a] in dup_of and at[b] in dup_of for a, b, _ in pairs)}


def dedup_only(rows: list[Record], embedder) -> tuple[float, dict[int, int]]:
    from curate.dedup import DedupContext, deduplicate, keep_priority
    from curate.embed_cache import CachedEncoder
    from curate.vectors import FieldVectors

    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        options = CurateOptions(cache=cache)
        ctx = DedupContext(rows, options, keep_priority(rows, [0.5] * len(rows)),
                           FieldVectors(rows, CachedEncoder(embedder, Path(cache))), embedder)
        result = deduplicate(ctx, options.tiers, list(range(len(rows))))
        return time.perf_counter() - t, {r.index: r.dup_of for r in result.removals}


def _semhash(rows: list[Record], embedder, columns=("instruction", "input", "output")) -> tuple[float, dict[int, int]]:
    from semhash import SemHash

    records = [{"row": str(k), "instruction": r.instruction, "input": r.input, "output": r.output}
               for k, r in enumerate(rows)]
    t = time.perf_counter()
    found = SemHash.from_records(records=records, columns=list(columns), model=embedder.model).self_deduplicate()
    return time.perf_counter() - t, {int(d.record["row"]): int(d.duplicate_of["row"])
                                     for d in found.filtered if d.duplicate_of}


def versus_semhash(path: Path, embedder, repeats: int = 3) -> dict:
    """Each side `repeats` times, alternating in this process (so both meet the same load), and
    the medians; the machine's 1-minute load average before each run is reported with it. Then
    the QQP pool of prompts both ways (`prompts`)."""
    try:
        import semhash  # noqa: F401
    except ImportError:
        return {"skipped": "semhash is not installed beside the bench (see the docstring)"}
    rows = load(path).records
    ours_s, theirs_s, load_1m = [], [], []
    for _ in range(repeats):
        load_1m.append(round(os.getloadavg()[0], 1))
        seconds, ours = dedup_only(rows, embedder)
        ours_s.append(seconds)
        load_1m.append(round(os.getloadavg()[0], 1))
        seconds, theirs = _semhash(rows, embedder)
        theirs_s.append(seconds)

    def differ(removed: dict[int, int]) -> int:
        return sum(not same_text(rows[i].prompt, rows[k].prompt) and not same_text(rows[i].output, rows[k].output)
                   for i, k in removed.items() if k is not None)

    ours_median, theirs_median = float(np.median(ours_s)), float(np.median(theirs_s))
    return {"rows": len(rows), "repeats": repeats, "seedling_dedup_s": [round(x, 2) for x in ours_s],
            "semhash_s": [round(x, 2) for x in theirs_s], "load_1m_before_each_run": load_1m,
            "seedling_rows_per_s": round(len(rows) / ours_median), "semhash_rows_per_s": round(len(rows) / theirs_median),
            "speed_ratio": round(theirs_median / ours_median, 3),
            "speed_ratio_per_repeat": [round(b / a, 3) for a, b in zip(ours_s, theirs_s)],
            "seedling_removed": len(ours), "seedling_removed_prompt_and_answer_differ": differ(ours),
            "semhash_removed": len(theirs), "semhash_removed_prompt_and_answer_differ": differ(theirs),
            "prompts": _prompts_versus_semhash(path, embedder)}


def _prompts_versus_semhash(path: Path, embedder) -> dict:
    """The QQP pool of prompts (no answers): our dedup-only path and semhash on the prompt
    column, one run each: precision and recall on the labelled pairs."""
    pairs = qqp_pairs(path)
    questions = list(dict.fromkeys(q for a, b, _ in pairs for q in (a, b)))
    rows = [Record(q, "", source="imported:qqp") for q in questions]
    ours_s, ours = dedup_only(rows, embedder)
    theirs_s, theirs = _semhash(rows, embedder, columns=("instruction",))
    return {"seedling": {**pair_figures(ours, questions, pairs), "seconds": round(ours_s, 2)},
            "semhash": {**pair_figures(theirs, questions, pairs), "seconds": round(theirs_s, 2)}}

"""One pass over a dataset: quality, dedup, clusters, diversity, coverage, bias. `curate`
returns every row with its added columns, the kept and removed rows (each removal with its
reason), and the audit figures; `seedling audit` shows the same figures and writes no data."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from curate import parallel, quality
from curate.bias.audit import audit as bias_audit
from curate.bias.audit import counterfactual_effect, scan_all
from curate.bias.counterfactual import augment
from curate.bias.personas import persona_counts
from curate.bias.reference import compare as compare_to_reference
from curate.bias.steering import MAX_EXAMPLES, suggestions
from curate.bias.units import from_dedup as evidence_units
from curate.columns import annotate
from curate.dedup import DedupContext, DedupResult, Removal, deduplicate, keep_priority
from curate.dedup.audit import dedup_figures
from curate.dedup.shared_context import shared_context_groups
from curate.diversity import clusters as clustering
from curate.diversity import scores, shape
from curate.diversity.coverage import coverage
from curate.embed_cache import CachedEncoder
from curate.embedders import load_embedder
from curate.options import CurateOptions
from curate.scores.figures import score_figures
from curate.select import check_budget
from curate.vectors import FieldVectors, UnitRows
from seedling.curate_audit import AUDIT_VERSION
from seedling.models import cache_dir
from seedling.record import Record


@dataclass
class CurateResult:
    rows: list[Record]
    kept: list[Record]
    removed: list[Record]
    dedup: DedupResult
    audit: dict[str, Any]
    steering: dict[str, Any]
    projection: dict[str, Any] = field(default_factory=dict)
    instruction_vectors: UnitRows | None = None  # one unit row per input row, in input order
    selected: list[Record] | None = None  # with --select: the chosen rows, best score first
    selection: list[dict[str, Any]] = field(default_factory=list)  # with --select: why each row was chosen or left


def _quality_removals(qualities, flags, threshold: float) -> list[Removal]:
    return [Removal(i, "quality", None, q, f"quality {q:.2f} < {threshold}: {', '.join(flags[i]) or 'low'}")
            for i, q in enumerate(qualities) if q < threshold]


def _model_scores(records: list[Record], options: CurateOptions, given):
    """The model-based score columns: those given, else the scorers the options turn on."""
    from curate.scores import Scores, active, score_pool

    if given is not None:
        return given
    return score_pool(records, options) if active(options) else Scores([{} for _ in records], [[] for _ in records])


def _select(result: CurateResult, records: list[Record], vectors: FieldVectors, embedder, options: CurateOptions,
            qualities, model_scores, labels) -> None:
    """Choose `options.select` rows of the kept ones (curate/select.py), with every row's reason."""
    from curate.select import describe, select_rows

    calibration = getattr(embedder, "calibration", None)
    threshold = options.semantic_threshold or (calibration.duplicate if calibration else None)
    source = "--semantic-threshold" if options.semantic_threshold else "embedder calibration (duplicate)"
    chosen, result.selection, result.audit["selection"] = select_rows(
        records, vectors.example(), qualities, model_scores.columns, labels,
        [i for i, r in enumerate(result.rows) if "removed_by" not in r.extra], options.select, threshold, source,
        options.select_by)
    result.selected = [result.rows[i] for i in chosen]
    result.audit["selection"].update(describe(vectors.field("instruction"), records, labels, chosen))


def _executor(options: CurateOptions):
    if options.executor != "ray":
        return None
    from curate.ray_executor import RayExecutor

    return RayExecutor(options.ray_address)


def _counterfactual(kept: list[Record], options: CurateOptions) -> tuple[list[Record], dict]:
    """Swapped copies of the kept rows, with the audit's gender figures before and after and a few pairs."""
    copies, figures = augment(kept, options.counterfactual)
    figures.update(counterfactual_effect(kept, copies, options.bias_targets, options.bias_min_rows))
    shown = {c.meta["counterfactual_of"]: c for c in copies[:5]}
    figures["examples"] = [{"original": r.prompt[:300], "copy": shown[r.id].prompt[:300]} for r in kept if r.id in shown]
    return copies, figures


def curate(records: list[Record], options: CurateOptions | None = None, embedder=None,
           reference: list[Record] | None = None, model_scores=None) -> CurateResult:
    """Score, dedup and audit `records`; nothing is dropped without a row in `removed`.
    `model_scores`: model-based score columns already computed (curate.scores.score_pool)."""
    options = options or CurateOptions()
    check_budget(options.select, len(records))
    timings: dict[str, float] = {}
    t = time.perf_counter()
    scored = parallel.map_rows(quality.score, records)
    qualities, flags = [q for q, _ in scored], [f for _, f in scored]
    model_scores = _model_scores(records, options, model_scores)
    flags = [f + extra for f, extra in zip(flags, model_scores.flags)]
    priority = keep_priority(records, qualities)
    timings["quality"] = time.perf_counter() - t

    t = time.perf_counter()
    embedder = embedder if embedder is not None else load_embedder(options.embedder)
    root = Path(options.cache) if options.cache else cache_dir() / "embeddings"
    executor = _executor(options)
    encoder = CachedEncoder(embedder, root, executor)
    vectors = FieldVectors(records, encoder)
    timings["load_embedder"] = time.perf_counter() - t

    dropped = _quality_removals(qualities, flags, options.min_quality) if options.min_quality > 0 else []
    alive = sorted(set(range(len(records))) - {r.index for r in dropped})
    ctx = DedupContext(records, options, priority, vectors, embedder, executor)
    t = time.perf_counter()
    try:
        dedup = deduplicate(ctx, options.tiers, alive)
        instr = vectors.field("instruction") if records else np.zeros((0, 1), dtype=np.float32)
    finally:
        if executor is not None:
            executor.close()
    encoder.executor = None
    timings["dedup"] = time.perf_counter() - t
    removals = dropped + dedup.removals

    timings["embed"] = vectors.seconds
    t = time.perf_counter()
    texts = [r.instruction for r in records]
    clusters = clustering.summarize(instr, texts, options.clusters)
    proj_rows, coords = clustering.projection(instr)
    timings["clusters"] = time.perf_counter() - t
    gone = {r.index for r in removals}
    kept_rows = np.array([i for i in range(len(records)) if i not in gone], dtype=np.int64)
    t = time.perf_counter()
    diversity = {
        "all": {**scores.pairwise(instr, options.sample), **scores.distinct_n(texts)},
        "kept": {**scores.pairwise(instr, options.sample, kept_rows), **scores.distinct_n(texts, kept_rows)},
        "sample_rule": f"pairwise figures on a random sample of at most {options.sample} rows (seed 0)",
    }
    figures_shape = shape.summarize(records)
    timings["diversity"] = time.perf_counter() - t

    cov = None
    if reference is not None:
        t = time.perf_counter()
        ref_vectors = np.asarray(FieldVectors(reference, encoder).field("instruction"))
        calibration = getattr(embedder, "calibration", None)
        threshold = calibration.coverage if calibration else 0.7
        cov = coverage(ref_vectors, [r.instruction for r in reference], instr[kept_rows], threshold)
        cov["threshold_from"] = "embedder calibration" if calibration else "uncalibrated embedder: 0.7, check it"
        timings["coverage"] = time.perf_counter() - t

    t = time.perf_counter()
    context_groups = shared_context_groups(ctx.anatomy, list(range(len(records))))
    units = evidence_units(len(records), context_groups, dedup.variants, removals)
    scans = scan_all(records, clusters["labels"], units)
    bias = bias_audit(records, options.bias_targets, options.bias_min_rows, scans=scans, units=units)
    bias["personas"] = persona_counts(records)
    if reference is not None:
        bias["reference"] = compare_to_reference(scans, reference, bias, options.bias_min_rows)
    timings["bias"] = time.perf_counter() - t
    members: dict[int, list[str]] = {}  # the first instructions of each cluster, as many as steering quotes
    for i, label in enumerate(clusters["labels"].tolist()):
        if len(members.setdefault(label, [])) < MAX_EXAMPLES:
            members[label].append(records[i].instruction)
    steering = suggestions(bias, clusters["clusters"], len(records), members, cov)

    for group in dedup.conflicts if options.conflicts == "flag" else []:
        for i in group:
            flags[i] = [*flags[i], "conflicting_answers"]
    rows, kept, removed = annotate(records, clusters["labels"], qualities, flags, removals, model_scores.columns)
    counterfactual = None
    if options.counterfactual:
        t = time.perf_counter()
        copies, counterfactual = _counterfactual(kept, options)
        kept = kept + copies
        timings["counterfactual"] = time.perf_counter() - t
    t = time.perf_counter()
    flag_counts = Counter(f for fl in flags for f in fl)
    dedup_audit = dedup_figures(records, dedup, ctx.anatomy, gone, options)
    score_audit = score_figures(records, qualities, flags, model_scores, options.select_by)
    timings["figures"] = time.perf_counter() - t
    audit = {
        "version": AUDIT_VERSION,
        "rows": len(records),
        "kept": len(kept),
        "removed": len(removed),
        "embedder": {"model": getattr(embedder, "model_id", type(embedder).__name__),
                     "dim": int(instr.shape[1]) if len(records) else None,
                     "cache": {"dir": str(encoder.dir) if encoder.dir else None,
                               "hits": encoder.hits, "misses": encoder.misses}},
        "dedup": dedup_audit,
        "scores": score_audit,
        "quality": {
            "checks": {name: weight for name, (_, weight) in quality.CHECKS.items()},
            "not_run": quality.NOT_RUN,
            "flags": dict(flag_counts.most_common()),
            "flagged_rows": sum(1 for f in flags if f),
            "mean": round(float(np.mean(qualities)), 4) if records else None,
            "min_quality": options.min_quality,
            "removed": len(dropped),
            "examples": [{"instruction": records[i].instruction[:200], "output": records[i].output[:200],
                          "flags": flags[i], "quality": qualities[i]} for i in range(len(records)) if flags[i]][:12],
        },
        "clusters": {k: v for k, v in clusters.items() if k != "labels"},
        "diversity": diversity,
        "shape": figures_shape,
        "coverage": cov,
        "bias": bias,
        "counterfactual": counterfactual,
        "steering": steering,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
    projection = {"x": coords[:, 0].round(4).tolist() if len(coords) else [],
                  "y": coords[:, 1].round(4).tolist() if len(coords) else [],
                  "cluster": clusters["labels"][proj_rows].tolist(),
                  "text": [records[i].instruction[:80] for i in proj_rows]}
    result = CurateResult(rows, kept, removed, dedup, audit, steering, projection, instr)
    if options.select is not None:
        t = time.perf_counter()
        _select(result, records, vectors, embedder, options, qualities, model_scores, clusters["labels"])
        audit["timings_s"]["select"] = round(time.perf_counter() - t, 3)
    return result

"""The steps that write rows: the columns and the kept/removed split, counterfactual copies, and
the selection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curate.bias.audit import counterfactual_effect
from curate.bias.counterfactual import augment
from curate.columns import annotate
from curate.dedup.pools import split
from curate.steps import Pool
from seedling.record import Record


@dataclass
class Columns:
    flags: list[list[str]]  # each row's flags, conflicting answers included
    rows: list[Record]  # every row with curate's columns
    kept: list[Record]
    removed: list[Record]


class Annotate:
    """curate's columns on every row (cluster, quality, flags, scores, dup_of), split into kept and removed."""

    name = "columns"

    def run(self, pool: Pool) -> Columns:
        scoring, pruning = pool.quality, pool.dedup
        flags = list(scoring.flags)
        conflicts, _ = split(pool.records, pruning.result.conflicts)
        for group in conflicts if pool.options.conflicts == "flag" else []:
            for i in group:
                flags[i] = [*flags[i], "conflicting_answers"]
        rows, kept, removed = annotate(pool.records, pool.clusters.labels, scoring.qualities, flags,
                                       pruning.removals, scoring.model_scores.columns)
        return Columns(flags, rows, kept, removed)


@dataclass
class Copies:
    rows: list[Record]  # swapped copies of kept rows, kept too
    figures: dict[str, Any]  # the audit's gender figures before and after, and a few pairs


class Counterfactual:
    """Swapped copies of the kept rows that mention the options' axis."""

    name = "counterfactual"

    def run(self, pool: Pool) -> Copies:
        kept, options = pool.columns.kept, pool.options
        copies, figures = augment(kept, options.counterfactual)
        figures.update(counterfactual_effect(kept, copies, options.bias_targets, options.bias_min_rows))
        shown = {c.meta["counterfactual_of"]: c for c in copies[:5]}
        figures["examples"] = [{"original": _pair(r), "copy": _pair(shown[r.id])} for r in kept if r.id in shown]
        return Copies(copies, figures)


@dataclass
class Selection:
    selected: list[Record]  # the chosen rows, best score first
    lines: list[dict[str, Any]]  # why each row was chosen or left
    audit: dict[str, Any]  # the rule, the budget, coverage and diversity kept


class Select:
    """Choose `options.select` rows of the kept ones (curate/select.py), with every row's reason."""

    name = "select"

    def run(self, pool: Pool) -> Selection:
        from curate.select import describe, select_rows

        options, embedding, labels = pool.options, pool.load_embedder, pool.clusters.labels
        calibration = getattr(embedding.embedder, "calibration", None)
        threshold = options.semantic_threshold or (calibration.duplicate if calibration else None)
        source = "--semantic-threshold" if options.semantic_threshold else "embedder calibration (duplicate)"
        rows = pool.columns.rows
        chosen, lines, audit = select_rows(
            pool.records, embedding.vectors.example(), pool.quality.qualities, pool.quality.model_scores.columns,
            labels, [i for i, r in enumerate(rows) if "removed_by" not in r.extra], options.select, threshold,
            source, options.select_by)
        audit.update(describe(embedding.vectors.field("instruction"), pool.records, labels, chosen))
        return Selection([rows[i] for i in chosen], lines, audit)


def _pair(record) -> str:
    """Prompt and answer, short: a swap is as often in the answer as in the prompt."""
    return f"{record.prompt[:150]} → {record.output[:150]}"

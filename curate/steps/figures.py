"""The steps that measure the rows: clusters, diversity and shape, coverage of a reference, bias."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from curate.bias.audit import audit as bias_audit
from curate.bias.audit import scan_all
from curate.bias.personas import persona_counts
from curate.bias.reference import compare as compare_to_reference
from curate.bias.steering import MAX_EXAMPLES, suggestions
from curate.bias.units import from_dedup as evidence_units
from curate.diversity import clusters as clustering
from curate.diversity import scores, shape
from curate.diversity.coverage import coverage
from curate.steps import Pool
from curate.vectors import FieldVectors
from seedling.steering import SteeringFile


@dataclass
class ClusterFigures:
    summary: dict[str, Any]  # clusters.summarize: k, the clusters, entropy, and each row's label
    projection_rows: np.ndarray  # the rows the cluster map shows
    coords: np.ndarray  # their 2-D coordinates

    @property
    def labels(self) -> np.ndarray:
        return self.summary["labels"]

    def audit(self) -> dict[str, Any]:
        return {k: v for k, v in self.summary.items() if k != "labels"}


class Clusters:
    name = "clusters"

    def run(self, pool: Pool) -> ClusterFigures:
        instr = pool.dedup.instructions
        summary = clustering.summarize(instr, [r.instruction for r in pool.records], pool.options.clusters)
        rows, coords = clustering.projection(instr)
        return ClusterFigures(summary, rows, coords)


@dataclass
class DiversityFigures:
    diversity: dict[str, Any]  # pairwise and distinct-n figures of all rows and of the kept ones
    shape: dict[str, Any]


class Diversity:
    name = "diversity"

    def run(self, pool: Pool) -> DiversityFigures:
        instr, kept_rows, sample = pool.dedup.instructions, pool.dedup.kept_rows, pool.options.sample
        words = _instruction_words(pool)
        diversity = {
            "all": {**scores.pairwise(instr, sample), **words.distinct()},
            "kept": {**scores.pairwise(instr, sample, kept_rows), **words.distinct(kept_rows)},
            "sample_rule": f"pairwise figures on a random sample of at most {sample} rows (seed 0)",
        }
        return DiversityFigures(diversity, shape.summarize(pool.records, words, _read_lengths(pool, words)))


def _dedup_anatomy(pool: Pool):
    """Dedup's reading of the rows (token ids), if a dedup tier read them; never read here."""
    return pool.dedup.context.__dict__.get("anatomy")


def _instruction_words(pool: Pool) -> scores.WordIds:
    """The instructions' words, taken from dedup's prompt tokens where a row's prompt is its
    instruction as read (no input); the rest are read here."""
    texts = [r.instruction for r in pool.records]
    anatomy = _dedup_anatomy(pool)
    if anatomy is None:
        return scores.WordIds(texts)
    read = anatomy.prompt_as_words & np.fromiter((not r.input for r in pool.records), dtype=bool, count=len(texts))
    return scores.WordIds.reusing(texts, anatomy.vocab, anatomy.tokens, anatomy.offsets, read)


def _read_lengths(pool: Pool, instruction_words: scores.WordIds) -> dict[str, np.ndarray] | None:
    """Words in each row's input and output, where dedup's tokens hold them (-1 elsewhere): an
    output's are its answer tokens, an input's are its prompt's beyond the instruction's, since
    a prompt is the instruction, a blank line and the input, and no word spans a line break."""
    anatomy = _dedup_anatomy(pool)
    if anatomy is None:
        return None
    output = np.where(anatomy.answer_as_words, np.diff(anatomy.answer_offsets), -1)
    beyond = np.diff(anatomy.offsets) - np.diff(instruction_words.offsets)
    return {"output": output, "input": np.where(anatomy.prompt_as_words, beyond, -1)}


class Coverage:
    """How much of the reference the kept rows cover, at the embedder's calibrated threshold."""

    name = "coverage"

    def run(self, pool: Pool) -> dict[str, Any]:
        embedding, reference = pool.load_embedder, pool.reference
        ref_vectors = np.asarray(FieldVectors(reference, embedding.encoder).field("instruction"))
        calibration = getattr(embedding.embedder, "calibration", None)
        threshold = calibration.coverage if calibration else 0.7
        cov = coverage(ref_vectors, [r.instruction for r in reference],
                       pool.dedup.instructions[pool.dedup.kept_rows], threshold)
        cov["threshold_from"] = "embedder calibration" if calibration else "uncalibrated embedder: 0.7, check it"
        return cov


@dataclass
class BiasFigures:
    bias: dict[str, Any]
    steering: SteeringFile  # what the next generate round should ask for
    context_groups: list[dict]  # rows sharing a passage, among all rows (dedup.shared_context)
    mentions: dict[tuple[str, str], np.ndarray]  # (axis, group) -> the rows naming it


def _cluster_members(records, labels) -> dict[int, list[str]]:
    """The first instructions of each cluster, as many as steering quotes."""
    members: dict[int, list[str]] = {}
    for i, label in enumerate(labels.tolist()):
        if len(members.setdefault(label, [])) < MAX_EXAMPLES:
            members[label].append(records[i].instruction)
    return members


class Bias:
    """Group mentions, pronouns, occupations and associations over independent examples, and
    the steering they suggest."""

    name = "bias"

    def run(self, pool: Pool) -> BiasFigures:
        records, options, pruning, clusters = pool.records, pool.options, pool.dedup, pool.clusters
        context_groups = pruning.context.passages.groups()
        units = evidence_units(len(records), context_groups, pruning.result.variants, pruning.removals,
                               pruning.result.conflicts)
        scans = scan_all(records, clusters.labels, units)
        bias = bias_audit(records, options.bias_targets, options.bias_min_rows, scans=scans, units=units)
        bias["personas"] = persona_counts(records)
        if pool.reference is not None:
            bias["reference"] = compare_to_reference(scans, pool.reference, bias, options.bias_min_rows)
        steering = suggestions(bias, clusters.summary["clusters"], len(records),
                               _cluster_members(records, clusters.labels), pool.coverage,
                               options.embedder if pool.embedder is None else None)
        return BiasFigures(bias, steering, context_groups, scans.row_index)

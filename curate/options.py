"""The `curate:` config section; `seedling audit` reads the same one (same figures, no writes)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, field_validator

from seedling.config import InputOptions, flag, group, section
from seedling.teachers.options import TeacherOptions

Tier = Literal["exact", "near", "semantic"]
Field_ = Literal["instruction", "input", "output"]


CURATE = ("curate",)  # flags that change what is kept: `seedling audit` leaves the data alone


@section("curate")
class CurateOptions(InputOptions):
    moved = {"judge_engine": "judge: {engine: ...}",
             "judge_model": "judge: {model: ...}",
             "judge_base_urls": "judge: {base_urls: ...}"}
    tiers: list[Tier] = flag(["exact", "near", "semantic"],
                             "Dedup tiers to run, comma-separated: exact,near,semantic (default all).")
    near_threshold: float = flag(0.7, "MinHash near-duplicate Jaccard threshold (default 0.7).", gt=0, le=1)
    embedder: str = flag("static", "static (default, distilled once from MiniLM), minilm, or a model directory.")
    semantic_threshold: Optional[float] = flag(
        None, "Semantic cosine threshold (default: the embedder's calibrated one).", gt=0, le=1)
    fields: Optional[list[Field_]] = flag(
        None, "Fields the semantic tier compares, comma-separated: instruction, input, output (default: every "
              "part of rows with an informative answer; the prompts when most rows have none).", min_length=1)
    template_variants: Literal["keep", "remove"] = flag(
        "keep", "Template variants (same example and answer, another template): keep (default) or remove.",
        commands=CURATE)
    conflicts: Literal["flag", "keep-one"] = flag(
        "flag", "Conflicts (same prompt, different answers): flag (default, all kept) or keep-one.", commands=CURATE)
    min_quality: float = flag(0.0, "Remove rows whose heuristic quality is below this (0-1).", commands=CURATE,
                              ge=0, le=1)
    reference: Optional[str] = flag(None, "Reference dataset for coverage and the bias comparison (group shares, "
                                          "pronouns, associations; e.g. data/seed_tasks.jsonl).")
    clusters: Optional[int] = flag(None, "Number of clusters (default: round(sqrt(n/2)) in [2, 30]).", ge=1)
    sample: int = Field(1000, ge=10)
    """Rows sampled for the pairwise diversity figures (mean cosine distance, Vendi score)."""
    cache: Optional[str] = flag(None, "Embedding cache directory (default: seedling's cache).")
    executor: Literal["local", "ray"] = flag(
        "local", "local (default) or ray: embeddings and MinHash signatures as Ray Data map_batches on the cluster "
                 "at --ray-address (else RAY_ADDRESS, else a local one).")
    ray_address: Optional[str] = flag(None, "Address of an existing Ray cluster for --executor ray.")
    bias_min_rows: int = Field(30, ge=1)
    """Bias audit: with fewer independent examples bearing on a question it says "too few to tell"."""
    bias_targets: Optional[dict[str, dict[str, float]]] = None
    """Bias audit: target shares by axis and group, e.g. {gender: {female: 0.5, male: 0.5}}; without one no
    group is called under- or over-represented."""
    counterfactual: Optional[Literal["gender"]] = flag(
        None, "Add counterfactual copies of the kept rows that mention this axis (gender): swapped pronouns, "
              "nouns, titles, names; meta.counterfactual_of.", commands=CURATE)
    select: Optional[float] = flag(None, "Choose this many rows (a count, or a share of the pool like 0.3): "
                                         "selected.jsonl + selection.jsonl (why each row was chosen or left).",
                                   commands=CURATE, gt=0)
    scores: Optional[list[Literal["learned", "ifd", "judge"]]] = flag(
        None, "Model scorers, comma-separated: learned, ifd, judge (default: learned when --select is given, judge "
              "when --judge-model is; empty string for none).")
    select_by: Optional[list[str]] = flag(
        None, "Score parts --select multiplies, comma-separated: quality, learned, ifd, end_nll, judge, or a rating "
              "the pool came with as meta.KEY (-meta.KEY where lower is better), counted by its percentile "
              "(default: quality, learned and judge where they ran; ifd and end_nll rank real answers at or below "
              "chance, so they only inform unless named).", commands=CURATE)
    learned_model: Optional[str] = flag(None, "Quality model directory for the learned score (from "
                                              "scripts/train_quality.py; default: the shipped one).")
    ifd_model: Optional[str] = flag(None, "Causal LM for IFD: a local dir or cached hub id (default: the embedded "
                                          "SmolLM2).")
    ifd_dtype: str = "auto"
    """IFD model's dtype: auto takes bf16 where native (AMX, AVX512-BF16, CUDA), else float32."""
    ifd_batch_tokens: int = Field(4096, ge=64)
    """IFD: padded tokens a forward pass."""
    score_cache: Optional[str] = None
    """Score cache, keyed by the scorer's settings and the row's text (default: seedling's cache / scores)."""
    judge: TeacherOptions = group(TeacherOptions, "Judge",
                                  "The LLM judge's teacher: naming its model turns the judge scorer on.")
    judge_template: Optional[str] = flag(None, "Judge prompt: a Jinja file (copy curate/scores/judge.j2).")

    @field_validator("select")
    @classmethod
    def _whole_count(cls, value: Optional[float]) -> Optional[float]:
        if value is not None and value >= 1 and value != int(value):
            raise ValueError("select is a row count (a whole number) or a share of the pool below 1")
        return value

    @field_validator("select_by")
    @classmethod
    def _known_parts(cls, value: Optional[list[str]]) -> Optional[list[str]]:
        from curate.scores.combined import OWN, PART_RULES

        unknown = [p for p in value or [] if p not in PART_RULES and not OWN.match(p)]
        if unknown:
            raise ValueError(f"select_by: unknown part {unknown[0]!r}; parts: {', '.join(PART_RULES)}, or meta.KEY "
                             "for a rating in each row's meta (-meta.KEY where lower is better)")
        return value

    @field_validator("bias_targets")
    @classmethod
    def _known_groups(cls, value: Optional[dict[str, dict[str, float]]]) -> Optional[dict[str, dict[str, float]]]:
        """A target names the lexicon's axes and groups, with shares that are not negative and not
        all 0: a misspelt group would otherwise drop out of the comparison unseen."""
        from curate.bias.lexicon import load

        groups = load().groups
        for axis, shares in (value or {}).items():
            if axis not in groups:
                raise ValueError(f"bias_targets: unknown axis {axis!r}; axes: {', '.join(groups)}")
            unknown = [g for g in shares if g not in groups[axis]]
            if unknown:
                known = ", ".join(groups[axis])
                raise ValueError(f"bias_targets.{axis}: unknown group {unknown[0]!r}; groups: {known}")
            if any(v < 0 for v in shares.values()) or not sum(shares.values()) > 0:
                raise ValueError(f"bias_targets.{axis}: shares must be 0 or more and not all 0")
        return value

"""The `curate:` config section; `seedling audit` reads the same one (same figures, no writes)."""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import Field, field_validator

from seedling.config import Section, section

Tier = Literal["exact", "near", "semantic"]
Field_ = Literal["instruction", "input", "output"]


@section("curate")
class CurateOptions(Section):
    tiers: list[Tier] = ["exact", "near", "semantic"]
    near_threshold: float = Field(0.7, gt=0, le=1)
    embedder: str = "static"
    semantic_threshold: Optional[float] = Field(None, gt=0, le=1)
    fields: Optional[list[Field_]] = Field(None, min_length=1)  # semantic tier's fields; None: by the data
    template_variants: Literal["keep", "remove"] = "keep"
    conflicts: Literal["flag", "keep-one"] = "flag"
    min_quality: float = Field(0.0, ge=0, le=1)
    reference: Optional[str] = None
    clusters: Optional[int] = Field(None, ge=1)
    sample: int = Field(1000, ge=10)
    cache: Optional[str] = None
    format: Optional[str] = None
    map: Optional[Union[str, dict[str, str]]] = None  # field=column pairs: the input's own columns onto a format
    json_path: Optional[str] = None  # the list of records inside a JSON object
    skip_invalid: bool = False
    split: Optional[str] = None
    executor: Literal["local", "ray"] = "local"  # ray: embeddings and MinHash signatures as Ray Data map_batches
    ray_address: Optional[str] = None  # an existing cluster (else RAY_ADDRESS, else a local one for the run)
    # Bias audit (curate/README.md, "Bias audit")
    bias_min_rows: int = Field(30, ge=1)  # fewer independent examples on a question: "too few to tell"
    bias_targets: Optional[dict[str, dict[str, float]]] = None  # axis -> group -> target share; none: no verdict
    counterfactual: Optional[Literal["gender"]] = None  # add swapped copies of the kept rows that mention it
    # Scoring and selection (curate/README.md, "Scoring and selection")
    select: Optional[float] = Field(None, gt=0)  # rows to choose: a count (>= 1) or a share of the pool (< 1)
    scores: Optional[list[Literal["learned", "ifd", "judge"]]] = None  # None: learned when select is set, judge when judge_model is
    # the score parts selection multiplies; None: quality, learned and judge where they ran (ifd and
    # end_nll rank real answers at or below chance, so they only inform unless named here)
    select_by: Optional[list[Literal["quality", "learned", "ifd", "end_nll", "judge"]]] = None
    learned_model: Optional[str] = None  # a directory from scripts/train_quality.py; None: the shipped one
    ifd_model: Optional[str] = None  # causal LM dir or cached hub id; None: the embedded SmolLM2 (the default student)
    ifd_dtype: str = "auto"  # auto: bf16 where native (AMX, AVX512-BF16, CUDA), else float32
    ifd_batch_tokens: int = Field(4096, ge=64)  # padded tokens per forward pass
    score_cache: Optional[str] = None  # default: seedling's cache / scores
    judge_engine: Optional[Literal["vllm", "transformers", "openai", "fake"]] = None  # None: vllm if installed
    judge_model: Optional[str] = None  # the judge is off unless this names a model (or a fake-teacher script)
    judge_template: Optional[str] = None  # a Jinja file; default curate/scores/judge.j2
    judge_base_urls: list[str] = []  # openai engine: servers to rate with

    @field_validator("select")
    @classmethod
    def _whole_count(cls, value: Optional[float]) -> Optional[float]:
        if value is not None and value >= 1 and value != int(value):
            raise ValueError("select is a row count (a whole number) or a share of the pool below 1")
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

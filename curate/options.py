"""The `curate:` config section; `seedling audit` reads the same one (same figures, no writes)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from seedling.config import Section, section

Tier = Literal["exact", "near", "semantic"]


@section("curate")
class CurateOptions(Section):
    tiers: list[Tier] = ["exact", "near", "semantic"]
    near_threshold: float = Field(0.7, gt=0, le=1)
    embedder: str = "static"
    semantic_threshold: Optional[float] = Field(None, gt=0, le=1)
    template_variants: Literal["keep", "remove"] = "keep"
    conflicts: Literal["flag", "keep-one"] = "flag"
    min_quality: float = Field(0.0, ge=0, le=1)
    reference: Optional[str] = None
    clusters: Optional[int] = Field(None, ge=1)
    sample: int = Field(1000, ge=10)
    cache: Optional[str] = None
    format: Optional[str] = None
    skip_invalid: bool = False
    split: Optional[str] = None

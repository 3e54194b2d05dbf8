"""steering.json, the one schema curate writes and generate reads: what a collection still
lacks, as example instructions to show the teacher and request lines to quote in its prompts.

Version 1 gives each sparse cluster only `examples` (texts cut at 120 characters); version 2
adds the full `instructions` and the `missing_topics` of a reference set. Only the parts
generate uses are required and unknown keys are ignored, so the audit can add figures
without breaking generate.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel

VERSION = 2
VERSIONS = (1, 2)


class GroupHint(BaseModel):
    """A group an axis under-represents, least mentioned first."""

    axis: str = ""
    group: str = ""
    rows: int = 0
    axis_max_rows: int = 0
    example_terms: list[str] = []
    request: str


class PronounHint(BaseModel):
    under_represented: str = ""
    female: int = 0
    male: int = 0
    request: str


class SparseCluster(BaseModel):
    cluster: int = -1
    label: list[str] = []
    size: int = 0
    examples: list[str]
    instructions: list[str] = []
    request: str = ""


class MissingTopic(BaseModel):
    """A reference topic the data covers little of."""

    label: list[str] = []
    size: int = 0
    covered_share: float = 0.0
    instructions: list[str] = []
    request: str


class SteeringFile(BaseModel):
    version: int
    rows_audited: int = 0
    under_represented_groups: list[GroupHint]
    axes_never_mentioned: list[str] = []
    pronouns: Optional[PronounHint]
    sparse_clusters: list[SparseCluster]
    missing_topics: list[MissingTopic] = []

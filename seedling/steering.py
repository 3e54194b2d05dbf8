"""steering.json, the one schema curate writes and generate reads: what a collection still
lacks, as example instructions to show the teacher and request lines to quote in its prompts.

Version 1 gives each sparse cluster only `examples` (texts cut at 120 characters); version 2
adds the full `instructions` and the `missing_topics` of a reference set. Group and pronoun
hints are about people: generate quotes them only in prompts about people. Since the audit
has intervals they name only findings whose interval excludes the target, and ask for a
counterfactual variant of one quoted row (`quoted_row`); older files leave those fields empty. Only the parts
generate uses are required and unknown keys are ignored, so the audit can add figures
without breaking generate.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel

VERSION = 2
VERSIONS = (1, 2)


class GroupHint(BaseModel):
    """A group an axis under-represents (or an occupation that leans to one gender), with the
    evidence: its share, 95% interval and target."""

    axis: str = ""
    group: str = ""
    rows: int = 0
    axis_max_rows: int = 0
    example_terms: list[str] = []
    share: Optional[float] = None
    share_ci95: list[float] = []
    target: Optional[float] = None
    occupation: str = ""
    quoted_row: str = ""
    request: str


class PronounHint(BaseModel):
    under_represented: str = ""
    female: int = 0
    male: int = 0
    female_row_share: Optional[float] = None
    female_row_share_ci95: list[float] = []
    quoted_rows: list[str] = []
    requests: list[str] = []
    request: str


class SparseCluster(BaseModel):
    cluster: int = -1
    label: list[str] = []
    size: int = 0
    examples: list[str]
    instructions: list[str] = []
    request: str = ""


class Target(BaseModel):
    """One reference item no row covers yet, and its nearest reference items."""

    instruction: str
    neighbours: list[str] = []


class MissingTopic(BaseModel):
    """A reference topic the data covers little of."""

    label: list[str] = []
    size: int = 0
    covered_share: float = 0.0
    instructions: list[str] = []  # its seed instructions no row covers yet
    central: str = ""  # its most central seed instruction, which the request quotes
    rows_landed: int = 0  # audited rows whose nearest seed task is in it
    targets: list[Target] = []  # its uncovered items one by one, the farthest from the rows first
    request: str


class DroppedHint(BaseModel):
    """A hint whose rows lowered their round's diversity per row: the next round goes without it."""

    hint: str
    rows: int = 0
    vendi_per_row_with: Optional[float] = None
    vendi_per_row_without: Optional[float] = None


class Judge(BaseModel):
    """How the audit judged coverage: a seed task is covered by a row at least `threshold`
    close under `embedder`, so generate can judge its candidates the same way."""

    embedder: str
    threshold: float


class SteeringFile(BaseModel):
    version: int
    rows_audited: int = 0
    under_represented_groups: list[GroupHint]
    axes_never_mentioned: list[str] = []
    pronouns: Optional[PronounHint]
    sparse_clusters: list[SparseCluster]
    missing_topics: list[MissingTopic] = []
    dropped_hints: list[DroppedHint] = []  # hints of the round just audited that narrowed it: not offered again
    coverage_judge: Optional[Judge] = None  # absent in older files, and where the audit's embedder was an object

    def people_requests(self) -> list[str]:
        """The request lines about people: under-represented groups, then pronouns."""
        pronouns = (self.pronouns.requests or [self.pronouns.request]) if self.pronouns else []
        return [g.request for g in self.under_represented_groups] + pronouns

    def requests(self) -> list[str]:
        """Every request line a prompt may quote: the missing topics first, then people."""
        return [t.request for t in self.missing_topics] + self.people_requests()

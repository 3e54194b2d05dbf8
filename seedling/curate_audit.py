"""The curate audit (audit.json) as a typed model with a schema version: curate validates its
figures against it when it writes the file, the run's report reads the model. Every key is
declared (an undeclared one fails at the write); the parts a reader only shows as they are
(examples, histograms, per-group tables, score distributions) stay plain dicts.

Keys an older audit lacks (one written before the bias intervals or the scorers) are
optional, and `dump()` writes only the keys the writer set, so the file holds what it held
before it was typed, plus `version`."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict

AUDIT_VERSION = 1

Table = dict[str, Any]


class _Declared(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputFile(_Declared):
    """The dataset `seedling curate` read (absent when the run audited its own rows)."""

    path: str
    format: str
    container: Optional[str] = None
    skipped_invalid: int = 0
    notes: list[str] = []  # what reading did: end-of-text markers stripped, the split or JSON key read, ...
    prompt_only: bool = False  # prompts without answers: output "" in every row


class EmbedderCache(_Declared):
    dir: Optional[str] = None
    hits: int = 0
    misses: int = 0


class Embedder(_Declared):
    model: str
    dim: Optional[int] = None
    cache: EmbedderCache


class DedupTier(_Declared):
    name: str
    checked: int
    removed: int
    seconds: float
    details: Table = {}
    examples: list[Table] = []
    scores: Optional[Table] = None  # histogram of the pair scores the threshold decided
    borderline_pairs: Optional[list[Table]] = None


class Dedup(_Declared):
    policy: str
    tiers: list[DedupTier]
    removed_by_source: Optional[Table] = None
    shared_context: Table = {}
    template_variants: Table = {}
    conflicts: Table = {}


class Quality(_Declared):
    checks: dict[str, float]
    not_run: dict[str, str] = {}
    flags: dict[str, int] = {}
    flagged_rows: int = 0
    mean: Optional[float] = None
    min_quality: float
    removed: int = 0
    examples: list[Table] = []


class Clusters(_Declared):
    k: int
    k_rule: str
    clusters: list[Table]
    largest_3_share: float
    entropy: Optional[float] = None


class DiversityFigures(_Declared):
    """Diversity of a set of rows (pairwise on a sample, distinct n-grams on all); rounds.json
    holds the same figures for each round's new rows."""

    sampled: Optional[int] = None
    mean_cosine_distance: Optional[float] = None
    vendi: Optional[float] = None
    vendi_per_row: Optional[float] = None
    distinct_1: Optional[float] = None
    distinct_2: Optional[float] = None
    distinct_3: Optional[float] = None


class Diversity(_Declared):
    all: DiversityFigures
    kept: DiversityFigures
    sample_rule: str


class Coverage(_Declared):
    """How much of the reference (by default the seed tasks) the kept rows cover."""

    reference_items: int
    threshold: float
    covered: int
    covered_share: float
    reference_clusters: list[Table] = []
    missed_clusters: list[Table] = []
    uncovered_examples: list[str] = []
    threshold_from: Optional[str] = None


class BiasMethod(_Declared):
    interval: str
    finding: str
    min_rows: int  # independent examples a figure needs
    unit: Optional[str] = None  # what one piece of evidence is: "independent example" (older audits: a row)
    targets: Optional[Table] = None  # the axes a user gave a target for, and from where


class BiasGroup(_Declared):
    rows: int
    rate: float
    rate_ci95: Optional[list[float]] = None
    examples: Optional[list[str]] = None
    share: Optional[float] = None
    share_ci95: Optional[list[float]] = None
    share_ci_adjusted: Optional[list[float]] = None
    target: Optional[float] = None
    finding: Optional[str] = None  # "under" or "over": the share's interval excludes the target


class Skew(_Declared):
    max_to_min_nonzero: Optional[float] = None
    max_group: Optional[str] = None
    under_represented: list[str] = []
    over_represented: list[str] = []


class BiasAxis(_Declared):
    rows_with_mention: int
    mentions_in_target_groups: Optional[int] = None
    target_from: Optional[str] = None
    tests: Optional[int] = None
    z_adjusted: Optional[float] = None
    verdict: Optional[str] = None  # None: an audit written before the intervals
    enough_rows: Optional[bool] = None
    groups: dict[str, BiasGroup]
    gaps: list[Table] = []  # the largest gaps between two groups, with intervals
    skew: Skew


class Pronouns(_Declared):
    female: int
    male: int
    male_share: Optional[float] = None
    male_to_female: Optional[float] = None
    rows_female_leaning: Optional[int] = None
    rows_male_leaning: Optional[int] = None
    female_row_share: Optional[float] = None
    female_row_share_ci95: Optional[list[float]] = None
    female_target: Optional[float] = None
    under_represented: Optional[str] = None
    examples_female_leaning: Optional[list[str]] = None
    examples_male_leaning: Optional[list[str]] = None
    verdict: Optional[str] = None


class Bias(_Declared):
    rows: int
    rows_with_any_mention: int
    lexicon: str
    evidence: Optional[Table] = None  # rows and the independent examples they make
    method: Optional[BiasMethod] = None
    axes: dict[str, BiasAxis]
    pronouns: Pronouns
    occupations: dict[str, Table] = {}
    associations: Optional[Table] = None
    sentiment: Optional[Table] = None
    sentiment_toxicity: Optional[Table] = None
    reference: Optional[Table] = None  # `--reference`: group shares against a reference set
    personas: Optional[Table] = None  # rows per persona axis and group, from generate's meta.persona


class CurateAudit(_Declared):
    """curate's audit.json: what came in, what was removed and why, and the figures of the rest."""

    version: int = AUDIT_VERSION
    rows: int
    kept: int
    removed: int
    input: Optional[InputFile] = None
    embedder: Embedder
    dedup: Dedup
    scores: Optional[Table] = None
    quality: Quality
    clusters: Clusters
    diversity: Diversity
    shape: Table
    coverage: Optional[Coverage] = None
    bias: Bias
    counterfactual: Optional[Table] = None
    steering: Table
    overrides: Optional[Table] = None  # a person's decisions (overrides.jsonl) applied after the rules
    selection: Optional[Table] = None  # with `select`: the rule, the budget, coverage and diversity kept
    timings_s: dict[str, float] = {}

    def dump(self) -> dict[str, Any]:
        """The JSON content: the keys the writer set, with the version always."""
        return {"version": self.version, **self.model_dump(mode="json", exclude_unset=True)}

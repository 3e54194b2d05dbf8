"""Files that cross a stage boundary, as typed models with a schema version: the stage that
writes one builds the model, the run's report reads the model, so a renamed or missing key
fails where it is written, not as a blank cell in a report (steering.json: seedling.steering;
rounds.json: seedling.run.rounds)."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel

STATS_VERSION = 1


class RoundTarget(BaseModel):
    round: int
    target: int  # accepted rows in all after this round
    steering: Optional[str] = None
    accepted: Optional[int] = None  # rows this round added
    tokens_out: Optional[int] = None  # teacher output tokens this round spent
    rows_per_1k_tokens: Optional[float] = None  # accepted / tokens_out * 1000: what a teacher token buys


def rows_per_1k(accepted: int, tokens_out: int) -> Optional[float]:
    return round(1000 * accepted / tokens_out, 2) if tokens_out else None


class GenerateStats(BaseModel):
    """generate's stats.json: what a generate run produced and what it threw away, by reason."""

    version: int = STATS_VERSION
    accepted: int
    target: int
    batches: int  # teacher batches in all
    method: str
    tokens_in: int
    tokens_out: int
    rows_per_1k_tokens: Optional[float] = None  # accepted rows per 1,000 teacher output tokens
    tokens_per_s: float
    wall_s: float
    teacher_s: float
    rejected: dict[str, int] = {}
    notes: dict[str, int] = {}  # prompts the engine truncated or clipped
    output: Optional[str] = None
    rounds: list[RoundTarget] = []  # coverage-guided rounds, when the run's loop drove generate


EVAL_VERSION = 1


class Interval(BaseModel):
    """Mean with its 95% Student's t interval (seedling.stats.mean_ci); None under two values."""

    mean: float
    sd: float = 0.0
    se: float = 0.0
    ci95: Optional[list[float]] = None
    n: int


class PairedDiff(Interval):
    """a minus b over the same examples (seedling.stats.paired_diff): the t interval of the mean
    difference, how many examples went each way, and what this n could detect."""

    better: int  # examples where a is lower than b
    worse: int
    differs: bool  # the interval excludes 0
    detectable: float | None = None  # smallest difference this n and spread finds 80 % of the time


class Difference(Interval):
    improved: int  # examples where the student scored lower than the base model
    meaning: str = ""
    differs: Optional[bool] = None  # the interval excludes 0 (None: written before this was recorded)
    detectable: Optional[float] = None  # smallest difference this n and spread finds 80 % of the time


class SideNLL(BaseModel):
    nll_per_token: float
    perplexity: float
    per_example: Interval


class ExampleNLL(BaseModel):
    """One held-out example's per-token NLL under each model, by id, so two students pair up."""

    id: str
    tokens: int
    base: float
    student: float


class HeldOutNLL(BaseModel):
    n: int
    skipped: Optional[str] = None  # why there is no comparison (n == 0)
    tokens: Optional[int] = None
    base: Optional[SideNLL] = None
    student: Optional[SideNLL] = None
    difference: Optional[Difference] = None
    per_example: list[ExampleNLL] = []


class CheckRow(BaseModel):
    instruction: str
    base: dict[str, bool]
    student: dict[str, bool]


class Checks(BaseModel):
    """Verifiable instruction checks: constraints kept by each model."""

    prompts: int
    constraints: int
    base: int
    student: int
    rows: list[CheckRow] = []


class Sample(BaseModel):
    id: str
    instruction: str
    reference: str
    base: str
    student: str


class TrainFigures(BaseModel):
    steps: int
    seconds: float
    first_loss: Optional[float] = None
    last_loss: Optional[float] = None
    resumed_from: Optional[int] = None


class Overlap(BaseModel):
    """One training row kept out (or kept despite being near), and the held-out row it matched."""

    train_id: str
    eval_id: str
    kind: str  # exact | near | template
    score: float
    train: str
    eval: str


class DecontaminationReport(BaseModel):
    """Training rows removed for overlapping the held-out set, and those kept as sharing only a template."""

    exact: int
    near: int
    threshold: float  # word 3-gram Jaccard that removes a near row
    shingle: str
    examples: list[Overlap] = []
    template_kept: int = 0
    template_examples: list[Overlap] = []
    rule: str = ""


class TrainData(BaseModel):
    """Which rows the student trained on, and what was held out or removed to get them."""

    path: str
    fingerprint: str
    train_rows: int
    train_rows_available: Optional[int] = None
    train_rows_requested: Optional[int] = None
    held_out_rows: int
    removed_as_overlapping_eval: int
    decontamination: Optional[DecontaminationReport] = None  # None: written before it was recorded


class SeedRun(BaseModel):
    """One training seed of a student (tune: seeds): the same rows and held-out set, another seed."""

    seed: int
    steps: int
    nll_per_token: Optional[float] = None
    per_example: dict[str, float] = {}  # held-out id -> the student's NLL per token


class TuneEval(BaseModel):
    """tune's eval.json: the data a student trained on, its training, and base vs student on
    the held-out set (reference NLL, paired; generations; instruction checks)."""

    version: int = EVAL_VERSION
    data: TrainData
    train: TrainFigures
    held_out: int
    nll: HeldOutNLL
    samples: list[Sample] = []
    checks: Optional[Checks] = None
    seeds: list[SeedRun] = []  # every training seed, this one first; empty: trained once


class LengthControlled(BaseModel):
    """The win rate a judge would give at equal answer lengths (the intercept of
    score ~ a + b * tanh(length difference / its sd)), with its Student's t interval."""

    win_rate: float
    ci95: Optional[list[float]] = None
    length_slope: float


class WinRate(BaseModel):
    """A judge's win rate of student A over B, ties half, over the instructions it could read."""

    instructions: int
    judged: int
    unparsed_verdicts: int
    win_rate: Optional[float] = None  # None: no verdict could be read
    ci95: Optional[list[float]] = None
    n: Optional[int] = None
    wins: int = 0
    ties: int = 0
    losses: int = 0
    position_agreement: Optional[float] = None  # share of instructions judged alike in both orders
    differs: bool = False  # the interval excludes 0.5
    length_controlled: Optional[LengthControlled] = None


class Verdict(BaseModel):
    """One held-out instruction judged both ways: the verdict with A's answer shown first and with
    B's, and A's score (1 won both, 0.5 a split or a tie, 0 lost both)."""

    id: Optional[str] = None
    instruction: str
    a_first: Optional[str] = None  # "A", "B" or "tie" as the judge wrote it; None: unreadable
    b_first: Optional[str] = None
    score: Optional[float] = None
    consistent: Optional[bool] = None
    length_a: int
    length_b: int
    answer_a: str
    answer_b: str


class Judged(BaseModel):
    """Two students compared by a judge (`seedling eval`, the run's judge step): every verdict."""

    line: Optional[str] = None  # what the verdicts show, in a sentence (the run's judge step)
    a: str
    b: str
    judge: dict[str, Any]  # the judge teacher's engine and model
    held_out: str
    summary: WinRate
    rows: list[Verdict]

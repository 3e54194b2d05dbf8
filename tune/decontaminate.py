"""Keep the held-out set out of training: a student that saw an eval question (or a light
rewording of it) scores well for the wrong reason, and a curated-vs-raw comparison would
measure leakage instead of data quality. Every removal is reported with the row it matched.

Exact: same normalised question (instruction + input), whatever the answer; or the same
normalised instruction where one of the two rows has no input (the instruction is then the
whole question; a shared generic instruction over different inputs is not the same task).
Near: word 3-gram Jaccard of instruction + input, proposed by MinHash LSH (rensa) and
confirmed on the exact shingle sets. A near row is removed for sharing the held-out row's
task, not its template. How we tell: a frame that at least TEMPLATE_ROWS rows (training and
held-out together) fill with different words is a template ("Identify which instrument is
string or percussion: Cuica" / ": Sanshin" / ...), and rows that only share it ask different
things; they are kept unless their answers also agree (word 3-gram Jaccard >= the threshold,
answers longer than a label: two "Percussion" answers prove nothing). A near row with no such
template around it (one held-out row and a rewording of it) is removed as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seedling.artifacts import DecontaminationReport, Overlap
from seedling.nearindex import NearIndex
from seedling.record import Record
from seedling.text import SHORT_ANSWER_WORDS, jaccard, normalize, preview, shingles, words

SHINGLE = "word 3-grams"
TEMPLATE_ROWS = 3  # rows sharing one near frame with different fillers: a template, not one task


def _overlap(row: Record, match: Record, kind: str, score: float) -> Overlap:
    return Overlap(train_id=row.id, eval_id=match.id, kind=kind, score=score, train=preview(row.prompt),
                   eval=preview(match.prompt))


@dataclass
class Decontamination:
    kept: list[Record]
    removed: list[Overlap]
    threshold: float
    template_kept: list[Overlap] = field(default_factory=list)  # near a held-out row by template only

    def report(self, examples: int = 8) -> DecontaminationReport:
        return DecontaminationReport(
            exact=sum(o.kind == "exact" for o in self.removed), near=sum(o.kind == "near" for o in self.removed),
            threshold=self.threshold, shingle=SHINGLE, examples=self.removed[:examples],
            template_kept=len(self.template_kept), template_examples=self.template_kept[:examples],
            rule=f"near rows sharing only a template (a frame {TEMPLATE_ROWS}+ rows fill differently) are kept "
                 "unless their answers agree")


class _ExactIndex:
    """Held-out rows by normalised question, by instruction, and by instruction of the rows
    that have no input (the only ones a training row with an input can match on instruction)."""

    def __init__(self, held: list[Record]):
        self.question: dict[str, Record] = {}
        self.instruction: dict[str, Record] = {}
        self.bare_instruction: dict[str, Record] = {}
        for r in held:
            self.question.setdefault(normalize(f"{r.instruction}\n{r.input}"), r)
            self.instruction.setdefault(normalize(r.instruction), r)
            if not r.input:
                self.bare_instruction.setdefault(normalize(r.instruction), r)

    def match(self, r: Record) -> Record | None:
        found = self.question.get(normalize(f"{r.instruction}\n{r.input}"))
        if found is None:
            found = (self.bare_instruction if r.input else self.instruction).get(normalize(r.instruction))
        return found


def _question(r: Record) -> set[str]:
    return shingles(f"{r.instruction} {r.input}")


def answers_agree(a: Record, b: Record, threshold: float) -> bool:
    """The same answer in substance: longer than a label, and near by word 3-grams."""
    if min(len(words(a.output)), len(words(b.output))) <= SHORT_ANSWER_WORDS:
        return False
    return jaccard(shingles(a.output), shingles(b.output)) >= threshold


def decontaminate(train: list[Record], held: list[Record], threshold: float) -> Decontamination:
    """Training rows that overlap no held-out row's task (in their order), and the ones removed."""
    if not held:
        return Decontamination(list(train), [], threshold)
    exact = _ExactIndex(held)
    near = NearIndex(threshold)  # bands for recall >= 0.99 at the threshold: recall matters more than speed
    for i, r in enumerate(held):
        near.insert(i, _question(r))
    # How many distinct questions fill each held-out row's frame: itself, held rows and training rows near it.
    fillers = [{normalize(f"{r.instruction} {r.input}")} for r in held]
    for i, r in enumerate(held):
        for j, _ in near.near(_question(r)):
            fillers[j].add(normalize(f"{r.instruction} {r.input}"))
    candidates = []
    for r in train:
        match = exact.match(r)
        found = [] if match is not None else near.near(_question(r))
        for j, _ in found:
            fillers[j].add(normalize(f"{r.instruction} {r.input}"))
        candidates.append((r, match, found))

    kept, removed, template = [], [], []
    for r, match, found in candidates:
        if match is not None:
            removed.append(_overlap(r, match, "exact", 1.0))
            continue
        same_task = [(j, score) for j, score in found  # best score first; ties: the earliest held row
                     if len(fillers[j]) < TEMPLATE_ROWS or answers_agree(r, held[j], threshold)]
        if same_task:
            j, score = same_task[0]
            removed.append(_overlap(r, held[j], "near", round(score, 4)))
            continue
        if found:
            j, score = found[0]
            template.append(_overlap(r, held[j], "template", round(score, 4)))
        kept.append(r)
    return Decontamination(kept, removed, threshold, template)

"""A T0-shaped dataset built from the shipped seed tasks: each passage sits INSIDE the prompt,
is asked several different questions with one-word answers, and every (passage, question)
example appears under three templates. Planted on top: exact copies and conflicts.

Known truth: every row but the exact copies asks something no other row asks (same passage,
other question), or is a template variant of its example; nothing else is a duplicate."""

from __future__ import annotations

from dataclasses import dataclass, field

from seedling.record import Record
from seedling.text import words
from tests.data.curate.planted import seed_records

TEMPLATES = [
    'Given the following passage\n\n"{p}",\n\nanswer the following question. Note that the answer is present '
    'within the text.\n\nQuestion: {q}',
    "{p}\n\nBased on the passage above, please answer this question briefly and exactly: {q}",
    "Read this and answer the question that follows it.\nPassage: {p}\nQ: {q}\nA:",
]
PASSAGES = 8
QUESTIONS = 3


@dataclass
class Templated:
    rows: list[Record]
    example: list[int] = field(default_factory=list)  # example id of each row (passage, question)
    template: list[int] = field(default_factory=list)
    copies: list[int] = field(default_factory=list)  # planted exact copies
    conflicts: list[tuple[int, int]] = field(default_factory=list)  # (original, same prompt other answer)


def _passages() -> list[str]:
    texts = [r.output for r in seed_records() if len(r.output.split()) >= 40 and "\n" not in r.output]
    return [" ".join(t.split()[:60]) for t in texts[:PASSAGES]]


def _questions(passage: str, n: int) -> list[tuple[str, str]]:
    """Which word follows three given words: different questions, one-word answers (some of
    them the same word, so two different questions can share a one-word answer)."""
    ws = [w for w in passage.split() if w.isalpha()]
    out, seen = [], set()
    for k in range(1, len(ws) - 3, 5):
        q = f'Which word comes right after "{ws[k]} {ws[k + 1]} {ws[k + 2]}" in the passage?'
        if q not in seen:
            seen.add(q)
            out.append((q, ws[k + 3]))
    return out[:n]


def templated() -> Templated:
    data = Templated([])
    for p_id, passage in enumerate(_passages()):
        for q_id, (question, answer) in enumerate(_questions(passage, QUESTIONS)):
            for t_id, template in enumerate(TEMPLATES):
                data.rows.append(Record(template.format(p=passage, q=question), answer, source="imported:test",
                                        meta={"source": f"passage{p_id % 2}"}))
                data.example.append(p_id * QUESTIONS + q_id)
                data.template.append(t_id)
    for i in range(0, 24, 6):
        r = data.rows[i]
        data.rows.append(Record("  " + r.instruction.upper() + " ", r.output, source="imported:test", meta=r.meta))
        data.copies.append(len(data.rows) - 1)
    for i in (1, 40):
        r = data.rows[i]
        data.rows.append(Record(r.instruction, words(r.output)[0] + "s", source="imported:test", meta=r.meta))
        data.conflicts.append((i, len(data.rows) - 1))
    return data

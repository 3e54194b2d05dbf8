"""Which fields the semantic tier compares, and the tier for chosen fields.

By default the evidence is the answer: only rows whose answer is informative take part and
every part must be close (`semantic.py`). A pool of prompts (user queries, seed instructions,
prompts a teacher will answer) has no answer to lean on, and a user may want one field deduped
on its own (`--fields instruction`, or `output`). Then the pairs come from a neighbour search
over the chosen fields' vectors, a pair's score is the lowest cosine over those fields, and a
number or a named thing that only one prompt has keeps the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat

import numpy as np

from curate.dedup.align import aligned
from curate.dedup.compare import shared_passage, template_only
from curate.dedup.content import swapped
from curate.dedup.context import DedupContext
from curate.neighbours import neighbour_pairs

PARTS = ("instruction", "input", "output")
PROMPT = ("instruction", "input")
NEIGHBOURS = 10


@dataclass(frozen=True)
class Compared:
    fields: tuple[str, ...]
    why: str
    prompts: bool  # the prompts are the evidence: rows without an answer are compared on them
    evidence: bool  # the default: rows whose answer is evidence, every part


def compared(ctx: DedupContext) -> Compared:
    anatomy = ctx.anatomy
    if ctx.options.fields:
        fields = tuple(f for f in PARTS if f in ctx.options.fields)
        return Compared(fields, f"{', '.join(fields)} compared, as the fields option asks", "output" not in fields,
                        False)
    if anatomy.prompt_only:
        return Compared(PROMPT, f"{int(anatomy.answerless.sum())} of {len(anatomy)} rows have no answer (empty or a "
                                f"placeholder): their prompts (instruction, input) are compared", True, False)
    return Compared(PARTS, "rows whose answer is evidence (more than three words, not a label): instruction, "
                           "input and output each compared", False, True)


def _joined(vectors, fields: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    """One unit vector a row: the sum of its chosen fields' unit vectors, for the neighbour search."""
    x = np.zeros((len(rows), vectors.dim()), dtype=np.float32)
    for name in fields:
        x += vectors.field(name)[rows]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def field_scores(ctx: DedupContext, fields: tuple[str, ...], vectors, i: np.ndarray,
                 j: np.ndarray) -> list[dict[str, float]]:
    """Per pair, the cosine of each chosen field either row has (0 when only one has it), from
    `vectors` (a `semantic.RowVectors` holding the pairs' rows)."""
    out: list[dict[str, float]] = [{} for _ in range(len(i))]
    for name in fields:
        cos = vectors.cosines(name, i, j)
        for k, (x, y, c) in enumerate(zip(i.tolist(), j.tolist(), cos.tolist())):
            if getattr(ctx.records[x], name).strip() or getattr(ctx.records[y], name).strip():
                out[k][name] = float(c)
    return out


def candidates(ctx: DedupContext, how: Compared, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows holding a chosen field, and each one's nearest rows over the chosen fields."""
    rows = np.array([r for r in alive.tolist()
                     if any(getattr(ctx.records[r], f).strip() for f in how.fields)], dtype=np.int64)
    if len(rows) < 2:
        return rows, np.zeros(0, np.int64), np.zeros(0, np.int64)
    first, second, _ = neighbour_pairs(_joined(ctx.vectors, how.fields, rows), NEIGHBOURS)
    return rows, rows[first], rows[second]


def judge(ctx: DedupContext, how: Compared, xs: list[int], ys: list[int]) -> list[str]:
    """What each close pair is: a `pair` to score, a `variant`, a `shared_passage` (two
    questions over one passage) or `content_differs` (a number, a name or an entity swapped).
    When prompts are compared, the pairs are aligned together (`align.aligned`)."""
    measured = aligned(ctx.anatomy, xs, ys) if set(how.fields) & set(PROMPT) else repeat(None)
    return [_judge_one(ctx, how, x, y, pair) for x, y, pair in zip(xs, ys, measured)]


def _judge_one(ctx: DedupContext, how: Compared, x: int, y: int, pair) -> str:
    if pair is not None:
        sa, sb, _, _ = pair
        if shared_passage(sa, sb):
            return "shared_passage"
        if template_only(sa, sb):
            return "variant"
    a, b = ctx.records[x], ctx.records[y]
    text = " ".join(getattr(a, f) for f in how.fields), " ".join(getattr(b, f) for f in how.fields)
    answered = "output" not in how.fields and not (ctx.anatomy.answerless[x] or ctx.anatomy.answerless[y])
    swap = swapped(*text, *((a.output, b.output) if answered else (None, None)))
    return "content_differs" if swap else "pair"

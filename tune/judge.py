"""A judge's win rate of student A over student B on the held-out instructions.

Any teacher engine judges (vLLM, transformers, an OpenAI-compatible server, the scripted fake).
Each instruction is judged twice, A's answer shown first and then B's, so a judge that favours
a position cancels out; a verdict is A, B or a tie ("[[A]]", "[[B]]", "[[C]]" in the reply, as
MT-Bench asks). An instruction scores A's share of its two verdicts (a tie counts half), and the
win rate is their mean with a Student's t interval over instructions.

Judges favour longer answers, so the length-controlled win rate (AlpacaEval 2's idea, reduced
to one regressor) fits score = a + b * tanh(length difference / its sd) by least squares and
reports a: the win rate the judge would give at equal lengths, with its t interval.
The prompt is a Jinja template (tune/judge_prompt.j2) that a user can copy and change.
"""

from __future__ import annotations

import math
import re
from importlib.resources import files
from pathlib import Path
from typing import Sequence

from seedling.artifacts import LengthControlled, Verdict, WinRate
from seedling.stats import mean_ci
from seedling.teachers import Sampling, Teacher
from seedling.teachers.protocol import OnDone, each_done

VERDICT = re.compile(r"\[\[\s*(A|B|C|tie)\s*\]\]", re.IGNORECASE)


def template_text(path: str | Path | None = None) -> str:
    """The judge prompt: the user's Jinja file, or the shipped one."""
    if path is None:
        return files("tune").joinpath("judge_prompt.j2").read_text(encoding="utf-8")
    return Path(path).read_text(encoding="utf-8")


def render(template: str, instruction: str, answer_a: str, answer_b: str) -> str:
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(template).render(instruction=instruction, answer_a=answer_a, answer_b=answer_b)


def parse(reply: str) -> str | None:
    """'A', 'B' or 'tie' from the last verdict mark in the reply; None when there is none."""
    marks = VERDICT.findall(reply)
    if not marks:
        return None
    last = marks[-1].upper()
    return "tie" if last in ("C", "TIE") else last


def _score_for_a(verdict: str | None, a_first: bool) -> float | None:
    if verdict is None:
        return None
    if verdict == "tie":
        return 0.5
    shown_first_won = verdict == "A"
    return float(shown_first_won == a_first)


def judge(teacher: Teacher, instructions: Sequence[str], answers_a: Sequence[str], answers_b: Sequence[str],
          template: str | None = None, max_tokens: int = 256, on_done: OnDone | None = None) -> list[Verdict]:
    """Both orders of every instruction in one engine call, greedy; one row per instruction.
    `on_done(i, completion)` hears of each of the 2n verdicts as it comes."""
    if not len(instructions) == len(answers_a) == len(answers_b):
        raise ValueError(f"{len(instructions)} instructions, {len(answers_a)} answers from A and "
                         f"{len(answers_b)} from B: each instruction needs one answer from each")
    text = template or template_text()
    prompts = []
    for inst, a, b in zip(instructions, answers_a, answers_b):
        prompts += [[{"role": "user", "content": render(text, inst, a, b)}],
                    [{"role": "user", "content": render(text, inst, b, a)}]]
    replies = each_done(teacher.complete, prompts, Sampling(temperature=0.0, top_p=1.0, max_tokens=max_tokens), on_done)
    rows = []
    for k, (inst, a, b) in enumerate(zip(instructions, answers_a, answers_b)):
        first, second = parse(replies[2 * k].text), parse(replies[2 * k + 1].text)
        scores = [s for s in (_score_for_a(first, True), _score_for_a(second, False)) if s is not None]
        rows.append(Verdict(instruction=inst, a_first=first, b_first=second,
                            score=sum(scores) / len(scores) if scores else None,
                            consistent=None if first is None or second is None else
                            _score_for_a(first, True) == _score_for_a(second, False),
                            length_a=len(a), length_b=len(b), answer_a=a, answer_b=b))
    return rows


def _clamp(ci: list[float] | None) -> list[float] | None:
    return ci and [round(max(0.0, ci[0]), 4), round(min(1.0, ci[1]), 4)]


def length_controlled(scores: Sequence[float], diffs: Sequence[float]) -> LengthControlled | None:
    """Intercept of score ~ a + b * tanh(diff / sd(diff)): the win rate at equal lengths, with a
    Student's t interval (n - 2 degrees of freedom). None when lengths do not vary or n < 3."""
    import numpy as np
    from scipy.stats import t

    n = len(scores)
    sd = float(np.std(diffs, ddof=1)) if n > 1 else 0.0
    if n < 3 or sd == 0:
        return None
    x = np.column_stack([np.ones(n), np.tanh(np.asarray(diffs, dtype=float) / sd)])
    y = np.asarray(scores, dtype=float)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    sigma2 = float(resid @ resid) / (n - 2)
    cov = sigma2 * np.linalg.pinv(x.T @ x)
    se = math.sqrt(max(float(cov[0, 0]), 0.0))
    half = float(t.ppf(0.975, n - 2)) * se
    a = float(coef[0])
    return LengthControlled(win_rate=round(a, 4), ci95=_clamp([a - half, a + half]),
                            length_slope=round(float(coef[1]), 4))


def summarise(rows: list[Verdict]) -> WinRate:
    """Win rate of A (ties half) with its interval and n, counts, position agreement, and the
    length-controlled win rate."""
    judged = [r for r in rows if r.score is not None]
    counts = {"instructions": len(rows), "judged": len(judged),
              "unparsed_verdicts": sum((r.a_first is None) + (r.b_first is None) for r in rows)}
    if not judged:
        return WinRate(**counts)
    scores = [r.score for r in judged]
    s = mean_ci(scores)
    both = [r for r in rows if r.consistent is not None]
    return WinRate(**counts, win_rate=round(s.mean, 4), ci95=_clamp(s.ci95), n=s.n,
                   wins=sum(x > 0.5 for x in scores), ties=sum(x == 0.5 for x in scores),
                   losses=sum(x < 0.5 for x in scores),
                   position_agreement=round(sum(r.consistent for r in both) / len(both), 4) if both else None,
                   differs=bool(s.ci95) and (s.ci95[0] > 0.5 or s.ci95[1] < 0.5),
                   length_controlled=length_controlled(scores, [r.length_a - r.length_b for r in judged]))

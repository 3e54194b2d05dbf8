"""Evol-Instruct (Xu et al., 2023, WizardLM): rewrite pool instructions deeper or broader, then
answer the rewritten prompts directly.

Deepening adds a constraint, asks for more depth, makes the task concrete, or requires
explicit reasoning steps; broadening writes a new prompt on a rarer topic with the same
skill. Each row records its parent's id and the evolution applied.
"""

from __future__ import annotations

import random

from seedling.record import Record

from generate.filters import Context
from generate.methods.common import Candidate, Step
from generate.parse import rewritten
from generate.prompts import load_template

DEEPEN = {
    "constraints": "add one more constraint or requirement to the prompt.",
    "deepening": "if the prompt asks about an issue, ask about it in more depth and breadth.",
    "concretizing": "replace general concepts with more specific ones.",
    "reasoning": "if the prompt can be solved with a few simple steps, rewrite it to explicitly require "
                 "reasoning in several steps.",
}


class EvolInstruct:
    name = "evol-instruct"

    def __init__(self, opts):
        self.opts = opts
        self.deepen = load_template(opts.deepen_template)
        self.broaden = load_template(opts.broaden_template)
        self.answer = load_template(opts.evol_answer_template)
        self.templates = {"deepen": self.deepen.provenance(), "broaden": self.broaden.provenance(),
                          "answer": self.answer.provenance()}

    def _evolve(self, rng: random.Random, parent: Record) -> tuple[str, str]:
        how = rng.choice([*DEEPEN, "broaden"])
        if how == "broaden":
            return how, self.broaden.render(instruction=parent.prompt)
        return f"deepen:{how}", self.deepen.render(instruction=parent.prompt, how=DEEPEN[how])

    def round(self, round_no: int, step: Step, need: int) -> list[Record]:
        rng = random.Random(f"{self.opts.seed}:{round_no}")
        parents = [rng.choice(step.pool.everything) for _ in range(self.opts.prompts_per_round)]
        evolutions = [self._evolve(rng, p) for p in parents]
        candidates: list[Candidate] = []
        for parent, (how, prompt), completion in zip(parents, evolutions, step.ask([p for _, p in evolutions])):
            if completion.skipped:
                continue
            if completion.finish_reason == "length":
                step.tally.reject("cut_off_item")
                continue
            text = rewritten(completion.text)
            if not text:
                step.tally.reject("unparsable")
                continue
            if len(candidates) < need and step.screen(text, Context((parent.instruction, parent.prompt), prompt)):
                candidates.append(Candidate(text, examples=[parent.id], extra={"evolution": how}))
        if not candidates:
            return []
        answers = step.ask([self.answer.render(instruction=c.instruction, input="") for c in candidates])
        rows = []
        for c, completion in zip(candidates, answers):
            if completion.skipped:
                continue
            problem = step.output_problem(completion, completion.text, "")
            if problem:
                step.tally.reject(problem)
                continue
            row = step.record(c, completion.text, round_no)
            if row is not None:
                rows.append(row)
        return rows

"""Evol-Instruct (Xu et al., 2023, WizardLM): rewrite pool instructions deeper or broader, then
answer the rewritten prompts directly.

Deepening adds a constraint, asks for more depth, makes the task concrete, or requires
explicit reasoning steps; broadening writes a new prompt on a rarer topic with the same
skill. Each row records its parent's id and the evolution applied. Under steering
(generate.steering), a batch takes some parents from the pool records the steering file names and
quotes its request lines in the broaden prompts, rotating so that prompts ask for different
groups.
"""

from __future__ import annotations

import random

from seedling.record import Record

from generate.filters import Origin
from generate.methods.common import Candidate, Tools, check_hints
from generate.parse import rewritten
from generate.prompts import load_template
from generate.steering import Steering, hints_for

DEEPEN = {
    "constraints": "add one more constraint or requirement to the prompt.",
    "deepening": "if the prompt asks about an issue, ask about it in more depth and breadth.",
    "concretizing": "replace general concepts with more specific ones.",
    "reasoning": "if the prompt can be solved with a few simple steps, rewrite it to explicitly require "
                 "reasoning in several steps.",
}


PRIOR_ROWS_PER_PROMPT = 0.5  # before any is seen: an evolution yields a row about every other time


class EvolInstruct:
    name = "evol-instruct"

    def __init__(self, opts, steering: Steering | None = None):
        self.opts = opts
        self.steering = steering
        self.deepen = load_template(opts.deepen_template)
        self.broaden = load_template(opts.broaden_template)
        self.answer = load_template(opts.evol_answer_template)
        self.templates = {"deepen": self.deepen.provenance(), "broaden": self.broaden.provenance(),
                          "answer": self.answer.provenance()}
        check_hints(self.broaden, "evol_broaden", steering, opts.steer_hints)

    def _evolve(self, how: str, parent: Record, hints: list[str]) -> tuple[str, str]:
        if how == "broaden":
            return how, self.broaden.render(instruction=parent.prompt, hints=hints)
        return f"deepen:{how}", self.deepen.render(instruction=parent.prompt, how=DEEPEN[how])

    def batch(self, batch_no: int, tools: Tools, need: int) -> list[Record]:
        rng = random.Random(f"{self.opts.seed}:{batch_no}")
        n = tools.round_size(self.opts.prompts_per_batch, need, self.opts.max_batch, PRIOR_ROWS_PER_PROMPT)
        parents = [rng.choice(tools.pool.everything) for _ in range(n)]
        hows = [rng.choice([*DEEPEN, "broaden"]) for _ in parents]
        hints, extras = self._steer(rng, tools, parents, hows)
        evolutions = [self._evolve(how, p, h) for how, p, h in zip(hows, parents, hints)]
        candidates: list[Candidate] = []
        want = tools.answers_for(need)
        asked = tools.ask([p for _, p in evolutions])
        for parent, (how, prompt), extra, completion in zip(parents, evolutions, extras, asked):
            text = tools.item(completion, rewritten, "cut_off_item")
            if text is None:
                continue
            if len(candidates) < want and tools.screen(text, Origin((parent.instruction, parent.prompt), prompt)):
                candidates.append(Candidate(text, examples=[parent.id], extra={"evolution": how, **extra}))
        if not candidates:
            return []
        return tools.answer(candidates, [self.answer.render(instruction=c.instruction, input="") for c in candidates],
                            batch_no)

    def _steer(self, rng: random.Random, tools: Tools, parents: list[Record],
               hows: list[str]) -> tuple[list[list[str]], list[dict]]:
        """Put steering parents in the first prompts and hint lines in the broaden prompts; the
        hints of each prompt and the row meta. Without a steering file nothing is drawn from `rng`,
        so unsteered runs repeat exactly."""
        if self.steering is None:
            return [[] for _ in parents], [{} for _ in parents]
        wanted = set(self.steering.examples)
        matches = [r for r in tools.pool.everything if r.instruction in wanted or r.instruction[:120] in wanted]
        n = min(self.opts.steer_examples, len(matches), len(parents))
        parents[:n] = rng.sample(matches, n)
        broad = [i for i, how in enumerate(hows) if how == "broaden"]
        hints: list[list[str]] = [[] for _ in parents]
        for i, h in zip(broad, hints_for(self.steering, rng, [parents[i].prompt for i in broad], self.opts.steer_hints)):
            hints[i] = h
        return hints, [{"steering": self.steering.meta(h, int(i < n))} for i, h in enumerate(hints)]

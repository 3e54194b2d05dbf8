"""Self-Instruct (Wang et al., 2022): grow the pool from k seed + m generated examples a prompt.

A round: sample in-context examples for each of `prompts_per_round` prompts, ask the teacher
for new numbered tasks, screen them, then ask for an input and output of each kept task.
A steered round (generate.steering) swaps some examples of each prompt for instructions the
collection lacks and adds request lines, rotating so that prompts ask for different groups.
"""

from __future__ import annotations

import random

from seedling.record import Record

from generate.filters import Context
from generate.methods.common import Candidate, Step, check_hints
from generate.parse import instance, numbered_items
from generate.prompts import load_template
from generate.steering import Steering, rotation


class SelfInstruct:
    name = "self-instruct"

    def __init__(self, opts, steering: Steering | None = None):
        self.opts = opts
        self.steering = steering
        self.tasks = load_template(opts.tasks_template)
        self.answer = load_template(opts.answer_template)
        self.templates = {"tasks": self.tasks.provenance(), "answer": self.answer.provenance()}
        check_hints(self.tasks, "self_instruct_tasks", steering, opts.steer_hints)

    def _examples(self, rng: random.Random, step: Step) -> list[Record]:
        seeds, made = step.pool.seeds, step.pool.generated
        m = min(self.opts.generated_examples, len(made))
        k = min(self.opts.seed_examples + self.opts.generated_examples - m, len(seeds))
        return rng.sample(seeds, k) + rng.sample(made, m)

    def round(self, round_no: int, step: Step, need: int) -> list[Record]:
        rng = random.Random(f"{self.opts.seed}:{round_no}")
        groups = [self._examples(rng, step) for _ in range(self.opts.prompts_per_round)]
        prompts, texts, extras = [], [], []
        for group, (steer, hints) in zip(groups, self._steer(rng, groups)):
            group[: len(steer)] = []  # the first ones are seeds: steering examples take their place
            texts.append([r.instruction for r in group] + steer)
            prompts.append(self.tasks.render(examples=texts[-1], num_tasks=self.opts.tasks_per_prompt, hints=hints))
            extras.append({"steering": self.steering.meta(hints, len(steer))} if self.steering else {})
        candidates: list[Candidate] = []
        for group, shown, extra, prompt, completion in zip(groups, texts, extras, prompts, step.ask(prompts)):
            if completion.skipped:
                continue
            cut_off = completion.finish_reason == "length"
            items = numbered_items(completion.text, cut_off)
            if not items:
                step.tally.reject("unparsable")
                continue
            if cut_off:
                step.tally.reject("cut_off_item")
            ctx = Context(tuple(shown), prompt)
            for item in items:
                if len(candidates) < need and step.screen(item, ctx):
                    candidates.append(Candidate(item, examples=[r.id for r in group], extra=extra))
        return self._answer(round_no, step, candidates)

    def _steer(self, rng: random.Random, groups: list[list[Record]]) -> list[tuple[list[str], list[str]]]:
        """Steering examples and hint lines for each prompt; none (and no draw from `rng`, so
        unsteered runs repeat exactly) without a steering file."""
        if self.steering is None:
            return [([], [])] * len(groups)
        per = min(self.opts.steer_examples, min(map(len, groups), default=0))
        examples = rotation(self.steering.examples, rng, len(groups), per)
        hints = rotation(self.steering.hints, rng, len(groups), self.opts.steer_hints)
        return list(zip(examples, hints))

    def _answer(self, round_no: int, step: Step, candidates: list[Candidate]) -> list[Record]:
        if not candidates:
            return []
        prompts = [self.answer.render(instruction=c.instruction) for c in candidates]
        rows = []
        for c, prompt, completion in zip(candidates, prompts, step.ask(prompts)):
            if completion.skipped:
                continue
            parsed = instance(completion.text)
            if parsed is None:
                step.tally.reject("unparsable_answer")
                continue
            c.input, output = parsed
            problem = step.output_problem(completion, output, prompt.replace(c.instruction, ""))
            if problem:
                step.tally.reject(problem)
                continue
            row = step.record(c, output, round_no)
            if row is not None:
                rows.append(row)
        return rows

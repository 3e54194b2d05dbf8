"""Self-Instruct (Wang et al., 2022): grow the pool from k seed + m generated examples a prompt.

A batch: sample in-context examples for each of `prompts_per_batch` prompts, ask the teacher
for new numbered tasks, screen them, then ask for an input and output of each kept task.
Under steering (generate.steering), each prompt swaps some examples for instructions the
collection lacks and adds request lines, rotating so that prompts ask for different groups;
a steered round asks for more lists than it needs and answers first the tasks that reach seed
tasks no row covers, then the most spread out (generate.choice).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace

from seedling.record import Record
from seedling.text import NUMBERED_ITEM

from generate.choice import Choice
from generate.filters import Origin
from generate.methods.common import Candidate, Tools, check_hints
from generate.parse import instance, list_items
from generate.prompts import load_template
from generate.steering import Steering, by_region, hints_for, rotation


PRIOR_ROWS_PER_PROMPT = 2.0  # before any is seen; asking for too few costs one more call, too many wastes tokens


class SelfInstruct:
    name = "self-instruct"
    shipped = ("self_instruct_continue", "self_instruct_tasks")  # task-list templates: continued, chat

    def __init__(self, opts, steering: Steering | None = None):
        self.opts = opts
        self.steering = steering
        self.raw = (opts.tasks_prompt or ("chat" if opts.engine == "openai" else "continue")) == "continue"
        shipped = self.shipped[0 if self.raw else 1]
        self.tasks = load_template(opts.tasks_template or shipped)
        self.answer = load_template(opts.answer_template)
        self.templates = {"tasks": self.tasks.provenance(), "answer": self.answer.provenance()}
        check_hints(self.tasks, shipped, steering, opts.steer_hints)
        self.spare: list[tuple[str, Origin, Candidate]] = []
        self.choice = Choice.of(steering)

    def _examples(self, rng: random.Random, tools: Tools) -> list[Record]:
        seeds, made = tools.pool.seeds, tools.pool.generated
        m = min(self.opts.generated_examples, len(made))
        k = min(self.opts.seed_examples + self.opts.generated_examples - m, len(seeds))
        return rng.sample(seeds, k) + rng.sample(made, m)

    def batch(self, batch_no: int, tools: Tools, need: int) -> list[Record]:
        candidates: list[Candidate] = []
        want = tools.answers_for(need)
        self._take(tools, self._chosen(tools, self.spare, candidates), candidates, want)
        if len(candidates) < want:
            rows_short = math.ceil(need * (want - len(candidates)) / want)
            self._take(tools, self._chosen(tools, self._new_items(batch_no, tools, rows_short), candidates),
                       candidates, want)
        return self._answer(batch_no, tools, candidates)

    def _chosen(self, tools: Tools, items: list[tuple[str, Origin, Candidate]],
                candidates: list[Candidate]) -> list[tuple[str, Origin, Candidate]]:
        """`items` in the order generate.choice answers them, the rows so far and this batch's
        candidates already taken counting as covered, each naming in `meta.steering.aimed_at` the
        uncovered seed task it was picked to reach; unsteered, as they are."""
        if self.choice is None:
            return items
        rows = [r.instruction for r in tools.pool.generated] + [c.instruction for c in candidates]
        order = self.choice.order([item for item, _, _ in items], rows)
        return [(items[i][0], items[i][1], aimed(items[i][2], target)) for i, target in order]

    def _take(self, tools: Tools, items: list[tuple[str, Origin, Candidate]], candidates: list[Candidate],
              need: int) -> None:
        """Screen items until `need` candidates; the rest wait, unscreened, for the next batch
        (their tokens are paid for: a round that over-asked should not throw them away)."""
        for k, (item, origin, template) in enumerate(items):
            if len(candidates) >= need:
                self.spare = items[k:]
                return
            if tools.screen(item, origin):
                candidates.append(replace(template, instruction=item))
        self.spare = []

    def _new_items(self, batch_no: int, tools: Tools, need: int) -> list[tuple[str, Origin, Candidate]]:
        rng = random.Random(f"{self.opts.seed}:{batch_no}")
        n = tools.round_size(self.opts.prompts_per_batch, need, self.opts.max_batch, PRIOR_ROWS_PER_PROMPT)
        if self.choice is not None:
            n *= self.opts.steer_overask
        groups = [self._examples(rng, tools) for _ in range(n)]
        prompts, texts, extras = [], [], []
        for group, (steer, hints), (values, meta) in zip(groups, self._steer(rng, groups), self._conditions(rng, n)):
            group[: len(steer)] = []  # the first ones are seeds: steering examples take their place
            texts.append([r.instruction for r in group] + steer)
            prompts.append(self.tasks.render(examples=texts[-1], num_tasks=self.opts.tasks_per_prompt, hints=hints,
                                             **values))
            steering = self.steering.meta(hints, len(steer), self.opts.steer_overask if self.choice else None) \
                if self.steering else None
            extras.append({**meta, **({"steering": steering} if steering else {})})
        # The stop ends the list at the number of tasks asked for: past it a small teacher writes
        # items the round pays for and cannot use; so it does once its items go round.
        sampling = replace(tools.sampling, stop=(*tools.sampling.stop, self._stop(len(texts[0]))), distinct_items=True)
        lists = []
        step = self.opts.max_batch
        completions = [c for k in range(0, n, step) for c in tools.ask(prompts[k:k + step], sampling, raw=self.raw)]
        tools.tally.spend("tasks", completions)
        for group, shown, extra, prompt, completion in zip(groups, texts, extras, prompts, completions):
            if completion.skipped:
                continue
            cut_off = completion.cut_off
            parsed = list_items(self._list(completion.text, len(shown)), cut_off)
            if not parsed:
                tools.tally.reject("unparsable")
                tools.tally.spend("tasks_unparsable", [completion])
                continue
            if cut_off:
                tools.tally.reject("cut_off_item")
                tools.tally.spend(f"tasks_{completion.finish_reason}", [completion])  # tasks_length, tasks_repeats
            origin = Origin(tuple(shown), prompt)
            template = Candidate("", examples=[r.id for r in group], extra=extra)
            lists.append([(item, origin, template) for item in parsed])
        return interleaved(lists) if self.steering and self.steering.regions else [x for items in lists for x in items]

    def _conditions(self, rng: random.Random, n: int) -> list[tuple[dict, dict]]:
        """What else each prompt is conditioned on: values for its template and their provenance.
        Plain Self-Instruct adds nothing (and draws nothing from `rng`)."""
        return [({}, {})] * n

    def _stop(self, shown: int) -> str:
        """Where the list has its tasks; all prompts of a batch show `shown` examples."""
        last = (shown if self.raw else 0) + self.opts.tasks_per_prompt
        return f"\n{last + 1}."

    def _list(self, text: str, shown: int) -> str:
        """A continuation starts inside the prompt's next item: its number is the prompt's."""
        return text if not self.raw or NUMBERED_ITEM.match(text) else f"{shown + 1}.{text}"

    def _steer(self, rng: random.Random, groups: list[list[Record]]) -> list[tuple[list[str], list[str]]]:
        """Steering examples and hint lines for each prompt; none (and no draw from `rng`, so
        unsteered runs repeat exactly) without a steering file."""
        if self.steering is None:
            return [([], [])] * len(groups)
        per = min(self.opts.steer_examples, min(map(len, groups), default=0))
        if self.steering.regions:
            kept = [" ".join(r.instruction for r in g[per:]) for g in groups]
            return by_region(self.steering, rng, kept, per, self.opts.steer_hints)
        examples = rotation(self.steering.examples, rng, len(groups), per)
        shown = [" ".join([r.instruction for r in g[len(e):]] + e) for g, e in zip(groups, examples)]
        return list(zip(examples, hints_for(self.steering, rng, shown, self.opts.steer_hints)))

    def _answer(self, batch_no: int, tools: Tools, candidates: list[Candidate]) -> list[Record]:
        if not candidates:
            return []
        prompts = [self.answer.render(instruction=c.instruction) for c in candidates]
        rows = []
        for c, prompt, completion in zip(candidates, prompts, tools.ask_answers(prompts)):
            if completion.skipped:
                continue
            parsed = instance(completion.text)
            if parsed is None:
                tools.tally.reject("unparsable_answer")
                tools.tally.spend("answers_unparsable_answer", [completion])
                continue
            c.input, output = parsed
            row = tools.keep(c, completion, output, prompt.replace(c.instruction, ""), batch_no)
            if row is not None:
                rows.append(row)
        return rows


def aimed(template: Candidate, target: str | None) -> Candidate:
    """`template` naming `target` as the seed task its task was picked to reach; a task chosen
    again in a later batch (a spare) is named afresh, since rows made since may cover it."""
    steering = {k: v for k, v in template.extra["steering"].items() if k != "aimed_at"}
    return replace(template, extra={**template.extra, "steering": {**steering, **({"aimed_at": target} if target else {})}})


def interleaved(lists: list[list]) -> list:
    """Every list's first item, then every list's second, ...: a steered round, whose prompts
    each aim at a different uncovered seed task, takes its tasks from every prompt (the first
    item is the one nearest the target) instead of all from the first few prompts' lists. An
    unsteered round keeps the lists' order: there a list's first item follows the accepted rows
    it shows last, and interleaved, round 2 copied round 1 (generate/README.md)."""
    return [x for rank in itertools.zip_longest(*lists) for x in rank if x is not None]

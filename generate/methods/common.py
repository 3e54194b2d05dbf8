"""What both methods share: call the teacher (timed, counted), screen candidate instructions,
answer the kept ones, and build rows with their provenance."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from seedling import quality
from seedling.errors import ConfigError
from seedling.record import Record
from seedling.refusal import is_refusal
from seedling.teachers import Completion, Sampling, Teacher
from seedling.teachers.protocol import each_done

from generate.filters import Filter, Origin, first_rejection
from generate.filters.echo import shares_run
from generate.pool import Pool
from generate.prompts import Template
from generate.steering import Steering
from generate.tally import Tally


OVER_ASK = 4  # answers asked for at most, per row needed


def check_hints(template: Template, shipped: str, steering: Steering | None, per_prompt: int) -> None:
    """A template copied before steering existed would drop the hints without a word."""
    if steering and steering.hints and per_prompt and not template.uses("hints"):
        raise ConfigError(f"template {template.name} does not use `hints`, so the hints of {steering.path} would "
                          f"be dropped: copy the `{{% if hints %}}` block from generate/templates/{shipped}.jinja, "
                          "or set steer_hints: 0")


@dataclass
class Candidate:
    instruction: str
    input: str = ""
    examples: list[str] = field(default_factory=list)  # ids of the in-context examples / parent
    extra: dict[str, Any] = field(default_factory=dict)  # method-specific provenance


@dataclass
class Tools:
    """What a method needs each batch: the teacher, the pool, the counters and its settings."""

    teacher: Teacher
    pool: Pool
    tally: Tally
    sampling: Sampling
    filters: list[Filter]
    max_output_chars: int
    min_quality: float  # an answer the audit's checks score below this is rejected (seedling.quality)
    method: str
    templates: dict[str, Any]
    on_request: Callable[[Completion], None] | None = None  # told of each finished request (progress)

    def round_size(self, fixed: int | None, need: int, max_batch: int, prior: float) -> int:
        """First-step requests for this round: `fixed` if set, else enough for `need` rows at the
        rows per request seen so far in this run, earlier rounds included (`prior` until some are
        seen), in one engine call."""
        t = self.tally
        if fixed:
            n = fixed
        else:
            per = t.rows_made / t.first_requests if t.rows_made else prior
            n = max(1, min(max_batch, math.ceil(need / max(per, 0.02))))
        t.first_requests += n
        return n

    def answers_for(self, need: int) -> int:
        """Candidates to answer for `need` rows: more by half the answers expected to fail, at
        the rate so far (Laplace's rule of succession, so a first batch asks for `need`). Each
        batch short of its rows costs another engine call, mostly spent waiting on a few long
        answers; rows past `need` are thrown away. Simulated at a 55 % pass rate and 32 rows:
        asking for `need` takes 5.6 batches, half the failures 3.3 and wastes 0.5 rows, all of
        them 2.5 and 2.1 rows."""
        rate = (self.tally.rows_made + 1) / (self.tally.answers_asked + 1)
        return min(need + math.ceil((need / rate - need) / 2), OVER_ASK * need)

    def ask(self, prompts: list[str], sampling: Sampling | None = None, raw: bool = False) -> list[Completion]:
        """All prompts in one teacher call (the engine batches them as it can); `raw` continues
        the text as it is instead of wrapping it in the chat template."""
        sampling = sampling or self.sampling
        start = time.perf_counter()
        if raw:
            call, sent = self.teacher.complete_raw, prompts
        else:
            call, sent = self.teacher.complete, [[{"role": "user", "content": p}] for p in prompts]
        completions = each_done(call, sent, sampling, self._done if self.on_request else None)
        self.tally.saw(completions, time.perf_counter() - start)
        for c in completions:
            if c.skipped:
                self.tally.reject(c.note or "prompt_skipped")
        return completions

    def ask_answers(self, prompts: list[str]) -> list[Completion]:
        """`ask`, counted as answers: `answers_for` sizes the next batch by their pass rate."""
        self.tally.answers_asked += len(prompts)
        completions = self.ask(prompts)
        self.tally.spend("answers", completions)
        return completions

    def _done(self, _index: int, completion: Completion) -> None:
        if self.on_request is not None:
            self.on_request(completion)

    def item(self, completion: Completion, parse: Callable[[str], str], cut_off_reason: str) -> str | None:
        """The one item a completion asked for (a rewritten or a fresh instruction), parsed;
        None, counted by why, when the teacher skipped it, was cut off, or wrote nothing usable."""
        if completion.skipped:
            return None
        if completion.cut_off:
            self.tally.reject(cut_off_reason)
            return None
        text = parse(completion.text)
        if not text:
            self.tally.reject("unparsable")
        return text or None

    def screen(self, text: str, origin: Origin) -> bool:
        """Apply the filters, then the near-duplicate check; a kept instruction joins the index
        at once, so two copies within one batch cannot both pass."""
        reason = first_rejection(self.filters, text, origin)
        if reason is None and self.pool.index.is_duplicate(text):
            reason = "near_duplicate"
        if reason:
            self.tally.reject(reason)
            return False
        self.pool.index.add(text)
        return True

    def output_problem(self, completion: Completion, output: str, template_text: str) -> str | None:
        """Why an answer cannot be kept; `template_text` is the answer prompt without the task,
        which a weak teacher sometimes repeats instead of answering."""
        if completion.finish_reason == "repeats":
            return "output_repeats"
        if completion.finish_reason == "length":
            return "output_cut_off"
        if not output.strip():
            return "empty_output"
        if shares_run(output, template_text):
            return "output_echoes_prompt"
        if len(output) > self.max_output_chars:
            return "output_too_long"
        if is_refusal(output[:200]) and len(output.split()) < 80:
            return "refusal"
        return None

    def flagged(self, c: Candidate, output: str) -> str | None:
        """`flagged_<check>` where the audit's quality checks would score the row below
        `min_quality`: kept, it would fill a place in the round that curate then drops."""
        if self.min_quality <= 0:
            return None
        score, flags = quality.score(Record(c.instruction, output.strip(), c.input.strip()))
        return f"flagged_{flags[0]}" if score < self.min_quality else None

    def answer(self, candidates: list[Candidate], prompts: list[str], batch_no: int) -> list[Record]:
        """Ask for each candidate's answer (its prompt) and keep the rows whose answers pass."""
        rows = []
        for c, completion in zip(candidates, self.ask_answers(prompts)):
            if completion.skipped:
                continue
            row = self.keep(c, completion, completion.text, "", batch_no)
            if row is not None:
                rows.append(row)
        return rows

    def keep(self, c: Candidate, completion: Completion, output: str, template_text: str,
             batch_no: int) -> Record | None:
        """The row for an answer that passes the output checks; a failing answer is counted."""
        problem = self.output_problem(completion, output, template_text) or self.flagged(c, output)
        if problem:
            self.tally.reject(problem)
            self.tally.spend(f"answers_{problem}", [completion])
            return None
        return self.record(c, output, batch_no)

    def record(self, c: Candidate, output: str, batch_no: int) -> Record | None:
        row = Record(c.instruction, output.strip(), c.input.strip(), "generated", {
            "method": self.method,
            "teacher": self.teacher.info.to_dict(),
            "engine": self.teacher.info.engine,
            "templates": self.templates,
            "sampling": self.sampling.to_dict(),
            "examples": c.examples,
            "batch": batch_no,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            **c.extra,
        })
        if row.id in self.pool.ids:
            self.tally.reject("duplicate_id")
            return None
        self.tally.rows_made += 1
        return row

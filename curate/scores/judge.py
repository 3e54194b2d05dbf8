"""LLM judge (AlpaGasus): a teacher from the core rates each pair 1-5 (follows the
instruction, correct, helpful, safe) with a one-line reason. The prompt is a Jinja template
(judge.j2 next to this file; copy it and pass --judge-template). Sampling is greedy, so a rerun
asks the same question and gets the same answer. A reply without a rating 1-5 leaves the row
unscored, keeps the reply in `judge_unparsable` and is counted; nothing raises. Off unless a
judge model is configured."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import jinja2

from seedling.record import Record

DEFAULT_TEMPLATE = Path(__file__).with_name("judge.j2")
RATING = re.compile(r"\brating\W{0,3}\s*([1-5])(?:\s*/\s*5)?\b", re.IGNORECASE)
REASON = re.compile(r"\breason\W{0,3}\s*(.+)", re.IGNORECASE)
BATCH = 32  # prompts a call: one progress step, one cache shard at most


def parse(reply: str) -> tuple[int | None, str | None]:
    """(rating, reason) from a reply; (None, None) when it holds no rating 1-5."""
    rating = RATING.search(reply)
    if rating is None:
        return None, None
    reason = REASON.search(reply)
    return int(rating.group(1)), (reason.group(1).strip()[:300] if reason else None)


class JudgeScorer:
    name = "judge"

    def __init__(self, engine: str | None, model: str, template: str | None = None, max_tokens: int = 96,
                 teacher=None, **engine_options: Any):
        from seedling.hashing import fingerprint
        from seedling.teachers import default_engine

        self.engine = teacher.info.engine if teacher is not None else engine or default_engine()[0]
        self.model = model
        self.template_path = Path(template) if template else DEFAULT_TEMPLATE
        self.template_text = self.template_path.read_text(encoding="utf-8")
        self.template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(self.template_text)
        self.max_tokens = max_tokens
        self.engine_options = engine_options
        self._teacher = teacher
        self.template_hash = fingerprint(self.template_text)

    @classmethod
    def from_options(cls, opts) -> "JudgeScorer":
        if not opts.judge.model:
            from seedling.errors import ConfigError

            raise ConfigError("the judge scorer needs a judge model (--judge-model or curate: judge: model)")
        from seedling.teachers import default_engine

        teacher = opts.judge
        engine = teacher.engine or default_engine()[0]
        return cls(engine, teacher.model, opts.judge_template, **teacher.engine_options(engine))

    def _revision(self) -> str | None:
        """Which weights rate: a local model's revision without starting an engine; a remote or
        scripted one says it itself."""
        if self._teacher is None and self.engine in ("vllm", "transformers"):
            from seedling.models import model_revision, resolve_causal_lm

            return model_revision(resolve_causal_lm(self.model))
        return self.teacher().info.revision or self.teacher().info.model

    def teacher(self):
        if self._teacher is None:
            from seedling.teachers import make_teacher

            self._teacher = make_teacher(self.engine, self.model, **self.engine_options)
        return self._teacher

    def settings(self) -> dict[str, Any]:
        return {"scorer": "judge", "engine": self.engine, "model": self.model, "revision": self._revision(),
                "template": str(self.template_path), "template_hash": self.template_hash, "max_tokens": self.max_tokens}

    def prompt(self, record: Record) -> list[dict[str, str]]:
        return [{"role": "user", "content": self.template.render(instruction=record.instruction, input=record.input,
                                                                  output=record.output)}]

    def score(self, records: list[Record], advance: Callable[[int], None] = lambda n: None) -> list[dict[str, Any]]:
        from seedling.teachers import Sampling

        sampling = Sampling(temperature=0.0, top_p=1.0, max_tokens=self.max_tokens, seed=0)
        out = []
        for start in range(0, len(records), BATCH):
            part = records[start:start + BATCH]
            for completion in self.teacher().complete([self.prompt(r) for r in part], sampling):
                rating, reason = parse(completion.text)
                out.append({"judge": rating, "judge_reason": reason,
                            "judge_unparsable": None if rating is not None else
                            (completion.text[:200] or f"({completion.note or completion.finish_reason})")})
            advance(len(part))
        return out

    def flags(self, value: dict[str, Any]) -> list[str]:
        return []

    def summary(self, values: list[dict[str, Any]]) -> dict[str, Any]:
        rated = [v["judge"] for v in values if v.get("judge") is not None]
        return {"judge_unparsable": sum(1 for v in values if v.get("judge") is None),
                "ratings": {str(k): rated.count(k) for k in range(1, 6)}}

    def close(self) -> None:
        if self._teacher is not None and hasattr(self._teacher, "close"):
            self._teacher.close()

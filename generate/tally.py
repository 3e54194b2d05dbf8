"""Counters of a run: accepted rows, rejections by reason, engine notes, tokens and time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from seedling.teachers import Completion


@dataclass
class Tally:
    rejected: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)  # prompts the engine truncated or clipped
    tokens_in: int = 0
    tokens_out: int = 0
    teacher_s: float = 0.0
    wall_s: float = 0.0
    batches: int = 0
    spent: Counter = field(default_factory=Counter)  # output tokens by use: tasks, answers, answers_<rejection>
    # What sizes the next batch, kept across rounds and resumes (each is a new process or call):
    first_requests: int = 0  # first-step requests asked (task lists, evolutions, queries)
    rows_made: int = 0  # rows built from them
    answers_asked: int = 0  # answer requests asked

    def spend(self, use: str, completions: list[Completion]) -> None:
        """Count where output tokens went, so a low yield can be traced to its cause."""
        self.spent[use] += sum(c.completion_tokens for c in completions)

    def reject(self, reason: str, n: int = 1) -> None:
        self.rejected[reason] += n

    def saw(self, completions: list[Completion], seconds: float) -> None:
        self.teacher_s += seconds
        for c in completions:
            self.tokens_in += c.prompt_tokens
            self.tokens_out += c.completion_tokens
            if c.note and not c.skipped:
                self.notes[c.note] += 1

    @property
    def tokens_per_s(self) -> float:
        return self.tokens_out / self.teacher_s if self.teacher_s else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"rejected": dict(self.rejected.most_common()), "notes": dict(self.notes), "tokens_in": self.tokens_in,
                "tokens_out": self.tokens_out, "teacher_s": round(self.teacher_s, 3),
                "wall_s": round(self.wall_s, 3), "batches": self.batches, "spent": dict(self.spent.most_common()),
                "first_requests": self.first_requests, "rows_made": self.rows_made,
                "answers_asked": self.answers_asked}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Tally":
        return cls(Counter(d.get("rejected", {})), Counter(d.get("notes", {})), d.get("tokens_in", 0),
                   d.get("tokens_out", 0), d.get("teacher_s", 0.0), d.get("wall_s", 0.0), d.get("batches", 0),
                   Counter(d.get("spent", {})), d.get("first_requests", 0), d.get("rows_made", 0),
                   d.get("answers_asked", 0))

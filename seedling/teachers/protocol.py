"""The one small protocol every engine implements: chat prompts + sampling -> completions.

Methods only ever talk to a `Teacher`, so swapping vLLM for transformers, a remote server or a
scripted fake changes nothing else. A prompt the engine cannot take (longer than the model's
context) comes back as a completion with finish_reason "skipped" and a `note`, never as an exception, so one bad
prompt cannot stop a round.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

Chat = list[dict[str, str]]


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.7
    top_p: float = 0.9
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "stop": list(self.stop)}


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"  # "stop", "length", or "skipped" (the engine did not run it)
    note: str | None = None  # a counted reason: why it was skipped, or how it was made to fit

    @property
    def skipped(self) -> bool:
        return self.finish_reason == "skipped"


@dataclass
class TeacherInfo:
    """Provenance that goes into every row's meta."""

    engine: str
    model: str
    revision: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "model": self.model, "revision": self.revision, **self.extra}


class Teacher(Protocol):
    info: TeacherInfo

    def complete(self, prompts: list[Chat], sampling: Sampling) -> list[Completion]:
        """One completion per prompt, in order; all prompts of a round in one call."""
        ...

    def close(self) -> None: ...


def skipped(reason: str, prompt_tokens: int = 0) -> Completion:
    return Completion("", prompt_tokens, 0, "skipped", reason)


def trim_at_stop(text: str, stop: tuple[str, ...]) -> tuple[str, bool]:
    """Cut at the first stop string (engines that match stops on tokens may overshoot)."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)

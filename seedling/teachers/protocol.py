"""The one small protocol every engine implements: chat prompts + sampling -> completions.

Methods only ever talk to a `Teacher`, so swapping vLLM for transformers, a remote server or a
scripted fake changes nothing else. A prompt the engine cannot take (longer than the model's
context) comes back as a completion with finish_reason "skipped" and a `note`, never as an exception, so one bad
prompt cannot stop a round.

`complete_raw` continues plain text with no chat template around it (Magpie writes from a
pre-query template, the user-turn prefix of the model's own chat format). Engines that finish
requests one by one call `on_done(index, completion)` as each finishes, so a caller can show
progress and keep finished rows durable; `each_done` gives every engine that shape.
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Protocol

Chat = list[dict[str, str]]
OnDone = Callable[[int, "Completion"], None]


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.7
    top_p: float = 0.9
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int = 0
    # A numbered list whose items must differ: an engine that sees the text grow stops it
    # (finish reason "repeats") once an item is a near copy of an earlier one.
    distinct_items: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "stop": list(self.stop)}


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # "stop", "length", "repeats" (stopped in a loop: seedling.teachers.loops) or "skipped" (not run)
    finish_reason: str = "stop"
    note: str | None = None  # a counted reason: why it was skipped, or how it was made to fit

    @property
    def skipped(self) -> bool:
        return self.finish_reason == "skipped"

    @property
    def cut_off(self) -> bool:
        """Ended before the text did: at the token limit, or stopped in a loop."""
        return self.finish_reason in ("length", "repeats")


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

    def complete_raw(self, texts: list[str], sampling: Sampling) -> list[Completion]:
        """One continuation per text, taken as it is (no chat template), in order."""
        ...

    def close(self) -> None: ...


def each_done(call: Callable[..., list[Completion]], prompts: list, sampling: Sampling,
              on_done: OnDone | None) -> list[Completion]:
    """Run `call` (a teacher's complete or complete_raw), telling `on_done` of each completion:
    as it finishes where the engine takes `on_done`, else all after the call."""
    if on_done is None:
        return call(prompts, sampling)
    if "on_done" in inspect.signature(call).parameters:
        return call(prompts, sampling, on_done=on_done)
    results = call(prompts, sampling)
    for i, completion in enumerate(results):
        on_done(i, completion)
    return results


def derive_seed(seed: int, *parts: Any) -> int:
    """A sampling seed from `seed` and what is being sampled (a batch number, a prompt's token
    ids), never from how many calls an engine has served: two runs with one seed that share
    an engine then draw alike."""
    digest = hashlib.blake2b(repr((seed, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def skipped(reason: str, prompt_tokens: int = 0) -> Completion:
    return Completion("", prompt_tokens, 0, "skipped", reason)


def trim_at_stop(text: str, stop: tuple[str, ...]) -> tuple[str, bool]:
    """Cut at the first stop string (engines that match stops on tokens may overshoot)."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)

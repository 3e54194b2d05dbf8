"""Teachers (generation engines) behind one protocol; `make_teacher` picks and builds one.

A new engine is one small module plus one line in ENGINES.
"""

from __future__ import annotations

import importlib
from importlib.util import find_spec
from typing import Any, Callable

from seedling.errors import ConfigError

from seedling.teachers.protocol import Chat, Completion, Sampling, Teacher, TeacherInfo

__all__ = ["ENGINES", "Chat", "Completion", "Sampling", "Teacher", "TeacherInfo", "default_engine", "make_teacher"]

ENGINES: dict[str, str] = {
    "vllm": "seedling.teachers.vllm_engine:VllmTeacher",
    "transformers": "seedling.teachers.transformers_engine:TransformersTeacher",
    "openai": "seedling.teachers.openai_engine:OpenAITeacher",
    "fake": "seedling.teachers.fake:FakeTeacher",
}


def default_engine() -> tuple[str, str]:
    """vLLM where it is importable (about 2x faster on CPU, more on GPU), else transformers."""
    if find_spec("vllm") is not None:
        return "vllm", "vllm is importable"
    return "transformers", "vllm is not installed"


def engine_class(name: str) -> Callable[..., Any]:
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
    module, _, cls = ENGINES[name].partition(":")
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError as exc:
        raise ConfigError(f"the {name} engine cannot be used here: {exc}") from None


def make_teacher(name: str, model: str | None, **options: Any) -> Teacher:
    """Build an engine, passing only the options its constructor takes."""
    import inspect

    cls = engine_class(name)
    accepted = inspect.signature(cls).parameters
    return cls(model, **{k: v for k, v in options.items() if k in accepted})

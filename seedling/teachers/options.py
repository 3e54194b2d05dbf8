"""How to reach a teacher, declared once for everything that talks to one: generate's teacher
(the `generate:` section holds these keys), curate's and tune's judges."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field, ValidationError

from seedling.config import Section, flag
from seedling.errors import ConfigError

# Not engine options: which engine and model, and the seed that sampling uses with every engine.
NOT_ENGINE_OPTIONS = frozenset({"engine", "model", "seed"})


class TeacherOptions(Section):
    engine: Optional[Literal["vllm", "transformers", "openai", "fake"]] = flag(
        None, "Engine: vllm, transformers, openai or fake (default: vllm if importable, else transformers).")
    model: Optional[str] = flag(None, "Model: a local dir or cached hub id (default: embedded SmolLM2-135M-Instruct); "
                                      "the served name for openai; the script file for fake.")
    dtype: str = "auto"
    """A local engine's weights: auto, float32 or bfloat16; auto takes bf16 only where the hardware runs it
    natively."""
    trust_remote_code: bool = False
    """Run a model's own Python code when loading it (transformers, vllm)."""
    batch_size: int = Field(16, ge=1)
    """transformers: prompts per generate() call."""
    max_model_len: Optional[int] = Field(None, ge=64)
    """vllm: cap the context to shrink the KV cache (default: the model's)."""
    overflow: Literal["skip", "truncate"] = "skip"
    """A prompt that with its new tokens overflows the context: skip it, or cut its beginning; either is
    counted."""
    base_urls: list[str] = flag([], "Server: an OpenAI-compatible URL (repeat for several).", names=("--base-url",),
                                repeat=True)
    api_key_env: str = "OPENAI_API_KEY"
    """openai: the environment variable that holds the API key (the key is never written anywhere)."""
    concurrency: int = Field(16, ge=1)
    """openai: requests in flight per server."""
    retries: int = Field(5, ge=0)
    """openai: tries again after a 429 or 5xx, with backoff."""
    timeout: float = Field(120.0, gt=0)
    """openai: seconds a request may take."""
    seed: int = 0
    """Sampling seed: every engine draws from it and the prompt, not from how many calls it served."""

    @classmethod
    def given(cls, **values: Any) -> "TeacherOptions":
        """Options from flags or another section's keys (None: not given, so not set), a bad value
        said in one line."""
        try:
            return cls(**{key: value for key, value in values.items() if value is not None})
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ConfigError(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None

    def build(self):
        """The teacher these options name (the default engine when none is named)."""
        from seedling.teachers import default_engine, make_teacher

        engine = self.engine or default_engine()[0]
        return make_teacher(engine, self.model, **self.engine_options(engine))

    def engine_options(self, engine: str) -> dict[str, Any]:
        """The options `engine` takes, for make_teacher. An option it does not take, set to other
        than its default for an engine the user named, is an error; with the engine left to the
        default, options for the other engines stay unused, so one config serves machines with
        and without vLLM. (Values, not which keys were set: options cross to Ray workers.)"""
        from seedling.teachers import engine_parameters

        accepted = engine_parameters(engine)
        if self.engine is not None:
            refused = [name for name, field in TeacherOptions.model_fields.items()
                       if name not in accepted | NOT_ENGINE_OPTIONS and getattr(self, name) != field.get_default()]
            if refused:
                raise ConfigError(f"the {engine} engine does not take {', '.join(refused)}; "
                                  f"it takes: {', '.join(sorted(accepted)) or 'no options'}")
        return {name: getattr(self, name) for name in TeacherOptions.model_fields if name in accepted}

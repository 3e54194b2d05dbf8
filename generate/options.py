"""The `generate:` config section; every flag of `seedling generate` has a key here."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from seedling.config import flag, section
from seedling.teachers.options import TeacherOptions

# Keys that may change between a run and its resume without changing what is generated:
# the target, the budget, and how the work is spread (batching, servers, concurrency).
# `steering` too: a coverage-guided run changes it between rounds by design, in one run
# directory; each steered row records the steering file's hash instead.
RESUMABLE = frozenset({"seeds", "num", "max_batches", "batch_size", "base_urls", "api_key_env", "concurrency",
                       "retries", "timeout", "steering", "verbose",
                       "max_batch"})


@section("generate")
class GenerateOptions(TeacherOptions):
    """The teacher's keys (engine, model, dtype, ..., seed) come from TeacherOptions."""

    seeds: Optional[str] = flag(None, "Seed tasks file (any readable format).")
    verbose: bool = flag(False, "Show the engine's own log lines instead of writing them to OUT/generate/engine.log.",
                         names=("--verbose",))
    num: int = flag(100, "Accepted pairs to produce (default 100).", ge=1)
    max_batches: Optional[int] = flag(None, "Stop after this many teacher batches in all (a rerun with a higher "
                                            "value goes on).", ge=1)
    method: Literal["self-instruct", "evol-instruct", "magpie", "persona"] = flag(
        "self-instruct", "self-instruct (default), evol-instruct, persona (a different person's tasks each prompt) "
                         "or magpie (queries from the teacher alone, no seeds needed).")


    temperature: float = Field(0.7, ge=0)
    top_p: float = Field(0.9, gt=0, le=1)
    max_tokens: int = Field(256, ge=1)
    stop: list[str] = []

    # Requests of a round's first step (task lists, evolutions, Magpie queries); None: as many as the
    # rows still needed call for at the yield seen so far, up to max_batch in one engine call.
    # bench/generate.py's batch curve on a 2-core AVX2 CPU (raw vLLM, tok/s): 8: 34, 16: 60,
    # 32: 67, 48: 77. Raise it on a GPU (configs/gpu.yaml).
    prompts_per_batch: Optional[int] = Field(None, ge=1)
    max_batch: int = Field(48, ge=1)
    seed_examples: int = Field(6, ge=0)
    generated_examples: int = Field(2, ge=0)
    tasks_per_prompt: int = Field(8, ge=1)
    # continue: the teacher continues a numbered list of tasks as plain text, as in the Self-Instruct
    # paper (raw completion: a server needs a completions endpoint); chat: the tasks are asked for in a
    # chat turn, which a small chat model answers by copying the examples back. None: continue on a
    # local engine, chat on a server (engine openai), which may be chat-only.
    tasks_prompt: Optional[Literal["continue", "chat"]] = None
    tasks_template: Optional[str] = None  # None: self_instruct_continue or self_instruct_tasks, by tasks_prompt
    answer_template: str = "self_instruct_answer"
    deepen_template: str = "evol_deepen"
    broaden_template: str = "evol_broaden"
    evol_answer_template: str = "answer"
    # persona: an axis of the bias audit (gender, age, disability, ...) whose groups take turns, one a
    # prompt; None: personas drawn over every axis
    persona_axis: Optional[str] = None
    pre_query_template: Optional[str] = None  # magpie: text that starts a user turn; None: from the teacher's chat template

    similarity: Literal["minhash", "rouge"] = flag("minhash", "Near-duplicate check: minhash (default) or rouge.")
    similarity_threshold: float = Field(0.7, gt=0, le=1)
    min_words: int = Field(4, ge=1)
    max_words: int = Field(150, ge=1)
    blocklist: Optional[list[str]] = None  # None: the Self-Instruct paper's keywords
    max_output_chars: int = Field(8000, ge=1)

    steering: Optional[str] = flag(None, "A steering.json (curate's audit): prompts ask for what the rows so far "
                                         "lack.")
    steer_examples: int = Field(3, ge=0)  # in-context examples (evol: parents) a prompt takes from it
    steer_hints: int = Field(2, ge=0)  # request lines a prompt quotes from it

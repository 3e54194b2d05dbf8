"""The `generate:` config section; every flag of `seedling generate` has a key here."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from seedling.config import Section, section

# Keys that may change between a run and its resume without changing what is generated:
# the target, the budget, and how the work is spread (batching, servers, concurrency).
# `steering` too: a coverage-guided run changes it between rounds by design, in one run
# directory; each steered row records the steering file's hash instead.
RESUMABLE = frozenset({"seeds", "num", "max_batches", "batch_size", "base_urls", "api_key_env", "concurrency",
                       "retries", "timeout", "steering", "verbose",
                       "max_batch"})


@section("generate")
class GenerateOptions(Section):
    seeds: Optional[str] = None
    verbose: bool = False  # the engine's own log lines on the terminal instead of generate/engine.log
    num: int = Field(100, ge=1)
    max_batches: Optional[int] = Field(None, ge=1)
    method: Literal["self-instruct", "evol-instruct", "magpie", "persona"] = "self-instruct"

    engine: Optional[Literal["vllm", "transformers", "openai", "fake"]] = None
    model: Optional[str] = None  # None: the embedded SmolLM2-135M-Instruct
    dtype: str = "auto"
    trust_remote_code: bool = False
    batch_size: int = Field(16, ge=1)  # transformers: prompts per generate() call
    max_model_len: Optional[int] = Field(None, ge=64)  # vllm: cap the context to shrink the KV cache
    overflow: Literal["skip", "truncate"] = "skip"
    base_urls: list[str] = []
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = Field(16, ge=1)  # openai: requests in flight per server
    retries: int = Field(5, ge=0)
    timeout: float = Field(120.0, gt=0)

    temperature: float = Field(0.7, ge=0)
    top_p: float = Field(0.9, gt=0, le=1)
    max_tokens: int = Field(256, ge=1)
    stop: list[str] = []
    seed: int = 0

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

    similarity: Literal["minhash", "rouge"] = "minhash"
    similarity_threshold: float = Field(0.7, gt=0, le=1)
    min_words: int = Field(4, ge=1)
    max_words: int = Field(150, ge=1)
    blocklist: Optional[list[str]] = None  # None: the Self-Instruct paper's keywords
    max_output_chars: int = Field(8000, ge=1)

    steering: Optional[str] = None  # a steering.json from curate: what the rows so far lack
    steer_examples: int = Field(3, ge=0)  # in-context examples (evol: parents) a prompt takes from it
    steer_hints: int = Field(2, ge=0)  # request lines a prompt quotes from it

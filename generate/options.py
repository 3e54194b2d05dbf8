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
    """Sampling temperature of the teacher's writing (the judges read greedily)."""
    top_p: float = Field(0.9, gt=0, le=1)
    """Nucleus sampling: the smallest set of tokens with this much probability."""
    max_tokens: int = Field(256, ge=1)
    """New tokens a reply may take; one cut off here is counted (`output_cut_off`)."""
    stop: list[str] = []
    """Strings that end a reply."""

    prompts_per_batch: Optional[int] = Field(None, ge=1)
    """Requests of a round's first step (task lists, evolutions, Magpie queries); None: as many as the rows
    still needed call for at the yield seen so far, up to max_batch in one engine call."""
    max_batch: int = Field(48, ge=1)
    """Most requests in one engine call. On a 2-core AVX2 CPU raw vLLM wrote 34, 60, 67 and 77 tokens/s at
    8, 16, 32 and 48 (bench/generate.py); raise it on a GPU (configs/gpu.yaml)."""
    seed_examples: int = Field(6, ge=0)
    """Seed tasks a task-list prompt shows."""
    generated_examples: int = Field(2, ge=0)
    """Accepted rows a task-list prompt shows beside the seeds."""
    tasks_per_prompt: int = Field(8, ge=1)
    """Tasks a task-list prompt asks for."""
    tasks_prompt: Optional[Literal["continue", "chat"]] = None
    """continue: the teacher continues a numbered list of tasks as plain text, as in the Self-Instruct paper
    (a server needs a completions endpoint); chat: the tasks are asked for in a chat turn, which a small
    chat model answers by copying the examples back. None: continue on a local engine, chat on a server."""
    tasks_template: Optional[str] = None
    """Task-list prompt (default: self_instruct_continue or self_instruct_tasks, by tasks_prompt)."""
    answer_template: str = "self_instruct_answer"
    """Prompt that asks for a task's answer."""
    deepen_template: str = "evol_deepen"
    """evol-instruct: prompt that makes a task harder."""
    broaden_template: str = "evol_broaden"
    """evol-instruct: prompt that writes a new task on a nearby topic."""
    evol_answer_template: str = "answer"
    """evol-instruct: prompt that answers an evolved task."""
    persona_axis: Optional[str] = None
    """persona: an axis of the bias audit (gender, age, disability, ...) whose groups take turns, one a
    prompt; None: personas drawn over every axis."""
    pre_query_template: Optional[str] = None
    """magpie: text that starts a user turn (default: from the teacher's chat template)."""

    similarity: Literal["minhash", "rouge"] = flag("minhash", "Near-duplicate check: minhash (default) or rouge.")
    similarity_threshold: float = Field(0.7, gt=0, le=1)
    """ROUGE-L against the seeds and accepted rows at which a new task is a near duplicate."""
    min_words: int = Field(4, ge=1)
    """A task with fewer words is rejected (`too_short`)."""
    max_words: int = Field(150, ge=1)
    """A task with more words is rejected (`too_long`)."""
    blocklist: Optional[list[str]] = None
    """Words that reject a task (default: the Self-Instruct paper's: image, graph, file, draw, ...)."""
    max_output_chars: int = Field(8000, ge=1)
    """An answer longer than this is rejected (`output_too_long`)."""
    min_quality: float = Field(0.0, ge=0, le=1)
    """An answer whose row the audit's quality checks (seedling.quality: refusal, unanswered, echo of the
    task, a loop, no content) score below this is rejected (`flagged_<check>`), as curate's `min_quality`
    would drop it: its place in the round goes to another task, so every row made passes curate at the same
    value. 0 (default, as curate's): every answer the checks above pass is kept."""

    steering: Optional[str] = flag(None, "A steering.json (curate's audit): prompts ask for what the rows so far "
                                         "lack.")
    steer_examples: int = Field(3, ge=0)
    """In-context examples (evol-instruct: parents) a steered prompt takes from the steering file."""
    steer_hints: int = Field(2, ge=0)
    """Request lines a steered prompt quotes from the steering file."""
    steer_overask: int = Field(4, ge=1)
    """Task lists a steered self-instruct or persona round asks for, per list it would ask for unsteered
    (sent in engine calls of at most max_batch): it answers first the tasks that reach seed tasks no row covers, then
    the most spread out (generate.choice). 1: as many lists as unsteered, still chosen among."""
    steered_method: Optional[Literal["self-instruct", "evol-instruct", "persona"]] = None
    """The method of a steered round (one given a steering file), e.g. persona after a self-instruct
    round 1; None: `method` in every round."""

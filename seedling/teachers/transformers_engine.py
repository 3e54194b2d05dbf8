"""transformers engine: batched `generate()` with left padding; runs everywhere torch does."""

from __future__ import annotations

from pathlib import Path

from seedling.decoding import cpu_decoding
from seedling.teachers.context import Fitted, FittingEngine, Overflow, pre_query_template
from seedling.teachers.loops import CHECK_EVERY, stuck
from seedling.teachers.protocol import Completion, OnDone, Sampling, TeacherInfo, derive_seed, trim_at_stop
from seedling.models import model_revision


class TransformersTeacher(FittingEngine):
    def __init__(self, model: str | None, *, dtype: str = "auto", batch_size: int = 16,
                 overflow: Overflow = "skip", trust_remote_code: bool = False):
        from seedling.models import load_causal_lm, resolve_causal_lm

        path = resolve_causal_lm(model)
        self.model, self.tokenizer = load_causal_lm(path, dtype=dtype, trust_remote_code=trust_remote_code)
        self.batch_size = batch_size
        self.overflow = overflow
        self.context = _context_length(self.model, self.tokenizer)
        self.info = TeacherInfo("transformers", str(path), model_revision(Path(path)),
                                {"dtype": str(self.model.dtype).removeprefix("torch.")})

    def _run(self, results: list, runnable: list[Fitted], sampling: Sampling, on_done: OnDone | None):
        runnable.sort(key=lambda r: len(r.ids))  # similar lengths share a batch: less padding
        for start in range(0, len(runnable), self.batch_size):
            batch = runnable[start:start + self.batch_size]
            for r, completion in zip(batch, self._generate(batch, sampling)):
                results[r.index] = Completion(completion.text, len(r.ids), completion.completion_tokens,
                                              completion.finish_reason, r.note)
                if on_done is not None:
                    on_done(r.index, results[r.index])
        return results  # type: ignore[return-value]

    def _generate(self, batch, sampling: Sampling) -> list[Completion]:
        import torch

        max_new = min(r.max_new for r in batch)
        width = max(len(r.ids) for r in batch)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(r.ids)) + r.ids for r in batch])
        mask = torch.tensor([[0] * (width - len(r.ids)) + [1] * len(r.ids) for r in batch])
        torch.manual_seed(derive_seed(sampling.seed, [r.ids for r in batch]))
        kwargs = dict(max_new_tokens=max_new, do_sample=sampling.temperature > 0,
                      pad_token_id=pad)
        if sampling.temperature > 0:
            kwargs.update(temperature=sampling.temperature, top_p=sampling.top_p)
        if sampling.stop:
            kwargs.update(stop_strings=list(sampling.stop), tokenizer=self.tokenizer)
        kwargs.update(stopping_criteria=[_loop_stop(self.tokenizer, width, sampling.distinct_items)])
        with torch.inference_mode(), cpu_decoding(self.model):
            out = self.model.generate(input_ids=input_ids.to(self.model.device),
                                      attention_mask=mask.to(self.model.device), **kwargs)
        eos = _eos_ids(self.model, self.tokenizer)
        completions = []
        for row in out[:, width:].tolist():
            n = next((k for k, t in enumerate(row) if t in eos or t == pad), len(row))
            text = self.tokenizer.decode(row[:n], skip_special_tokens=True)
            text, hit_stop = trim_at_stop(text, sampling.stop)
            ended = n < len(row) or hit_stop
            reason = "repeats" if stuck(text, sampling.distinct_items) else "stop" if ended else "length"
            completions.append(Completion(text, 0, n, reason))
        return completions

    def pre_query_template(self) -> str:
        return pre_query_template(self.tokenizer)

    def close(self) -> None:
        self.model = None


def _loop_stop(tokenizer, width: int, distinct_items: bool):
    """Ends each row of a batch whose new text has fallen into a loop (seedling.teachers.loops)."""
    import torch
    from transformers import StoppingCriteria

    class LoopStop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
            if (input_ids.shape[1] - width) % CHECK_EVERY == 0:
                for i, row in enumerate(input_ids[:, width:].tolist()):
                    done[i] = stuck(tokenizer.decode(row, skip_special_tokens=True), distinct_items)
            return done

    return LoopStop()


def _context_length(model, tokenizer) -> int:
    limits = [getattr(model.config, "max_position_embeddings", None), tokenizer.model_max_length]
    return min(n for n in limits if isinstance(n, int) and 0 < n < 10**7)


def _eos_ids(model, tokenizer) -> set[int]:
    eos = model.generation_config.eos_token_id
    ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids

"""Did it help? Base model vs tuned student on the same held-out instructions: reference
NLL (paired), side-by-side generations, and verifiable instruction checks."""

from __future__ import annotations

import json
import math
from contextlib import contextmanager, nullcontext
from importlib.resources import files
from pathlib import Path
from typing import Callable, Optional

from pydantic import BaseModel

from seedling.artifacts import Checks, CheckRow, Difference, ExampleNLL, HeldOutNLL, Interval, Sample, SideNLL
from seedling.nll import chat_prompt, completion_nll, scoring_dtype, scoring_weights
from seedling.record import Record
from seedling.stats import mean_ci, paired_diff
from tune.base_cache import BaseCache
from tune.checks import score
from tune.options import TuneOptions
from tune.progress import RowMeter


class Evaluation(BaseModel):
    """Base vs student on the held-out set: eval.json's figures beside the data and the training."""

    held_out: int
    nll: HeldOutNLL
    samples: list[Sample] = []
    checks: Optional[Checks] = None


def _rounded(s: Interval) -> dict:
    return {"mean": round(s.mean, 4), "sd": round(s.sd, 4), "se": round(s.se, 4),
            "ci95": s.ci95 and [round(v, 4) for v in s.ci95], "n": s.n}


def base_of(model):
    """The base model's view of a PEFT model: the adapter switched off, same weights in memory."""
    return model.disable_adapter() if hasattr(model, "disable_adapter") else nullcontext()


@contextmanager
def folded_adapter(model):
    """A PEFT student scored on a CPU with its adapter folded into a float32 copy of the weights
    it adapts: one matrix product per layer instead of the base's plus the adapter's two. The
    copies are dropped afterwards, so the model's own weights are untouched."""
    if not _is_peft(model) or scoring_dtype(model) != "float32":
        yield
        return
    import torch
    from peft.tuners.lora import LoraLayer

    bases = [m.get_base_layer() for m in model.modules() if isinstance(m, LoraLayer)]
    kept = [b.weight.data for b in bases]
    for b in bases:
        b.weight.data = b.weight.data.to(torch.float32, copy=True)
    model.merge_adapter()
    try:
        yield
    finally:
        model.unmerge_adapter()
        for b, weight in zip(bases, kept):
            b.weight.data = weight


def nll_comparison(model, tokenizer, held: list[Record], opts: TuneOptions, cache: BaseCache) -> HeldOutNLL:
    """Paired comparison: each held-out reference is scored by both models."""
    def scores(who: str, fold=nullcontext):
        with RowMeter(f"held-out NLL, {who}", len(held)) as meter, scoring_weights(model), fold(model):
            return completion_nll(model, tokenizer, held, opts.eval_batch_size, opts.max_length, meter.advance)

    def base_nll():
        with base_of(model):
            return scores("base model")

    base = cache.get("nll", held, base_nll)
    student = scores("student", folded_adapter)
    scored = [(r, b, s) for r, b, s in zip(held, base, student) if b[1] > 0]
    pairs = [(b, s) for _, b, s in scored]
    if not pairs:
        return HeldOutNLL(n=0, skipped="no held-out reference fits in max_length")

    def per_token(scores) -> SideNLL:
        total, tokens = sum(n for n, _ in scores), sum(k for _, k in scores)
        return SideNLL(nll_per_token=round(total / tokens, 4), perplexity=round(math.exp(total / tokens), 2),
                       per_example=Interval(**_rounded(mean_ci([n / k for n, k in scores]))))

    base_scores, student_scores = [b for b, _ in pairs], [s for _, s in pairs]
    d = paired_diff([s[0] / s[1] for _, s in pairs], [b[0] / b[1] for b, _ in pairs])
    return HeldOutNLL(
        n=len(pairs), tokens=sum(k for _, k in base_scores),
        base=per_token(base_scores), student=per_token(student_scores),
        difference=Difference(**_rounded(d), improved=d.better, differs=d.differs,
                              detectable=d.detectable and round(d.detectable, 4),
                              meaning="student minus base, per-token NLL per example; below 0 is better"),
        # by id, so two students scored on the same held-out set pair up example by example
        per_example=[ExampleNLL(id=r.id, tokens=b[1], base=round(b[0] / b[1], 5), student=round(s[0] / s[1], 5))
                     for r, b, s in scored])


def _step_counter(on_step: Callable[[int], None]):
    """A stopping criterion that never stops: it tells `on_step` how many tokens each row has."""
    from transformers import StoppingCriteria

    class Counter(StoppingCriteria):
        def __init__(self):
            self.steps = 0

        def __call__(self, input_ids, scores, **kwargs):
            import torch

            self.steps += 1
            on_step(self.steps)
            return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)

    return Counter()


def generate(model, tokenizer, instructions: list[Record], max_new_tokens: int,
             on_step: Callable[[int], None] | None = None, adapter_names: list[str] | None = None) -> list[str]:
    """Greedy replies, batched with left padding (deterministic, so base and student compare).
    `on_step(k)` is told after each decoding step, so a long batch can show it is moving;
    `adapter_names` (PEFT) gives each row the adapter that answers it, "__base__" for none."""
    import torch

    from seedling.decoding import cpu_decoding

    texts = [tokenizer.apply_chat_template(chat_prompt(r), tokenize=False, add_generation_prompt=True)
             for r in instructions]
    tokenizer.padding_side = "left"
    batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    batch = {k: v.to(next(model.parameters()).device) for k, v in batch.items()}
    with torch.no_grad(), cpu_decoding(model):
        out = model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False,
                             pad_token_id=tokenizer.pad_token_id,
                             stopping_criteria=[_step_counter(on_step)] if on_step else None,
                             **({"adapter_names": adapter_names} if adapter_names else {}))
    return tokenizer.batch_decode(out[:, batch["input_ids"].shape[1]:], skip_special_tokens=True)


def _replies(model, tokenizer, records: list[Record], opts: TuneOptions, who: str,
             adapter_names: list[str] | None = None) -> list[str]:
    label = f"greedy replies (up to {opts.max_new_tokens} tokens), {who}"
    with RowMeter(label, len(records)) as meter:
        out = generate(model, tokenizer, records, opts.max_new_tokens,
                       lambda k: meter.note(f"token {k} of at most {opts.max_new_tokens}"), adapter_names)
        meter.advance(len(records))
    return out


def _is_peft(model) -> bool:
    from peft import PeftModel

    return isinstance(model, PeftModel)


def both(model, tokenizer, records: list[Record], opts: TuneOptions, cache: BaseCache) -> tuple[list[str], list[str]]:
    """Base and student replies. Where the base's are not cached and the student is a PEFT
    model, both answer in one batch (each row names its adapter): a CPU decoding step for 2n
    rows costs well under two steps for n, and the decoding steps are a short run's evaluation."""
    if not records:
        return [], []
    base = cache.lookup("replies", records)
    if base is None and _is_peft(model):
        n = len(records)
        out = _replies(model, tokenizer, records + records, opts, "base model and student",
                       ["__base__"] * n + [model.active_adapter] * n)
        cache.store("replies", records, out[:n])
        return out[:n], out[n:]
    if base is None:
        with base_of(model):
            base = _replies(model, tokenizer, records, opts, "base model")
        cache.store("replies", records, base)
    return base, _replies(model, tokenizer, records, opts, "student")


def constraint_prompts() -> list[Record]:
    rows = files("tune").joinpath("constraint_prompts.jsonl").read_text(encoding="utf-8").splitlines()
    return [Record(json.loads(line)["instruction"], "-") for line in rows if line.strip()]


def check_prompts(held: list[Record]) -> list[Record]:
    """Held-out instructions that state a constraint, plus a shipped set of such prompts so
    there is always something to score."""
    return [r for r in held if score(r.instruction, "")] + constraint_prompts()


def checks_comparison(prompts: list[Record], base: list[str], student: list[str]) -> Checks:
    """Pass counts of the constraints the prompts state, for base and student."""
    rows = [CheckRow(instruction=r.instruction, base=score(r.instruction, b), student=score(r.instruction, s))
            for r, b, s in zip(prompts, base, student)]
    return Checks(prompts=len(prompts), constraints=sum(len(row.base) for row in rows),
                  base=sum(sum(row.base.values()) for row in rows),
                  student=sum(sum(row.student.values()) for row in rows), rows=rows)


def evaluate(model, tokenizer, held: list[Record], opts: TuneOptions, base_cache: Path | None = None) -> Evaluation:
    """`base_cache`: a folder where the base model's side is kept for the run's other students."""
    model.eval()
    cache = BaseCache(base_cache, model, opts)
    held = sorted(held, key=lambda r: r.id)[: opts.eval_max_rows]
    nll = (nll_comparison(model, tokenizer, held, opts, cache) if held
           else HeldOutNLL(n=0, skipped="no held-out rows"))
    samples = held[: opts.samples]
    checks = check_prompts(held) if opts.checks == "auto" else []
    # One batch of replies for both: a decoding step on a CPU costs about the same for 4 rows as for 20.
    base, student = both(model, tokenizer, samples + checks, opts, cache)
    n = len(samples)
    return Evaluation(
        held_out=len(held), nll=nll,
        samples=[Sample(id=r.id, instruction=r.prompt, reference=r.output, base=b, student=s)
                 for r, b, s in zip(samples, base[:n], student[:n])],
        checks=checks_comparison(checks, base[n:], student[n:]) if opts.checks == "auto" else None)

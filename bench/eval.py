"""Benchmark of held-out scoring (reference NLL of answers). Prints one JSON line:

- rows/s of the plain way (one row at a time, logits over the whole vocabulary at every
  position, float32: how the 252-task reference figure was taken) against seedling's scorer
  (seedling/nll.py: rows batched by length, only the answer positions projected onto the
  vocabulary), in float32 and in bf16 where this CPU runs it natively, on the same rows;
- how far each one's per-example NLL per token lies from the plain float32 figure (max and mean
  abs), also for bf16 throughout (`all_bfloat16`: the residual stream in bf16 too, as it once
  scored), and for tune's way with a bf16 model (`tune_bfloat16_model`: on a CPU the weights are
  widened to float32 for the pass, seedling/nll.py `scoring_weights`), also as tune scores its student
  (`tune_bfloat16_student`: that model wrapped by PEFT with a LoRA adapter switched on);
- each variant's median seconds over --repeats passes that alternate the variants' order;
- the CPU, its capability, and the torch thread count.

With --judge ENGINE it times a judge instead (tune/compare.py): students --a and --b answer the
first --rows held-out rows and the judge compares them both ways; prints the win rate, its
interval, the length-controlled rate, position agreement and the seconds each part took.

    python bench/eval.py [--rows 96] [--repeats 3] [--max-length 512] [--batch-size 8] [--student DIR]
    python bench/eval.py --judge fake --judge-model script.json --a ADAPTER --b base [--held FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def plain_nll(model, pairs, *_) -> list[float]:
    """Per-token NLL per row, one row at a time, with the full logits matrix."""
    import torch

    out, device = [], next(model.parameters()).device
    with torch.no_grad():
        for ids, n_prompt in pairs:
            logits = model(input_ids=torch.tensor([ids], device=device)).logits[0, :-1].float()
            nll = torch.nn.functional.cross_entropy(logits, torch.tensor(ids[1:], device=device), reduction="none")
            out.append(float(nll[n_prompt - 1:].mean()))
    return out


def fast(model, pairs, batch_size: int, max_length: int) -> list[float]:
    from seedling.nll import answer_nll

    return [s / k for s, k in answer_nll(model, pairs, batch_tokens=batch_size * max_length, max_rows=batch_size)]


def as_tune_scores(model, pairs, batch_size: int, max_length: int) -> list[float]:
    """The way tune scores: the weights widened to `scoring_dtype` for the pass (float32 on a CPU)."""
    from seedling.nll import scoring_weights

    with scoring_weights(model):
        return fast(model, pairs, batch_size, max_length)


def with_adapter(model):
    """`model` under a fresh LoRA adapter (B = 0: the base's scores), as tune's student is scored."""
    from peft import get_peft_model

    from tune.options import TuneOptions
    from tune.train import lora_config

    return get_peft_model(model, lora_config(TuneOptions())).eval()


def all_low(model):
    return contextlib.nullcontext()


@contextlib.contextmanager
def patched(module, name: str, value):
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


def timed(fn) -> tuple[list[float], float]:
    start = time.perf_counter()
    values = fn()
    return values, time.perf_counter() - start


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def judge_bench(args) -> dict:
    from seedling.teachers import make_teacher
    from tune.compare import compare

    start = time.perf_counter()
    teacher = make_teacher(args.judge, args.judge_model)
    loaded = time.perf_counter()
    try:
        result = compare(Path(args.held), args.a, args.b, teacher, None, max_rows=args.rows,
                         max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)
    finally:
        teacher.close()
    return {"bench": "judge", "judge": result.judge, "a": args.a, "b": args.b, "rows": args.rows,
            "cpu": cpu_name(), "judge_load_s": round(loaded - start, 1),
            "answer_and_judge_s": round(time.perf_counter() - loaded, 1), **result.summary.model_dump()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=96, help="held-out rows scored (the seed tasks' first N)")
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3, help="passes over the variants, alternating; medians")
    ap.add_argument("--student", default=None)
    ap.add_argument("--variants", default=None, help="comma-separated variants to time (default: all); "
                                                     "plain_fp32 is always one, the reference")
    ap.add_argument("--judge", default=None, help="engine that judges: vllm, transformers, openai, fake")
    ap.add_argument("--judge-model", default=None)
    ap.add_argument("--a", default="base")
    ap.add_argument("--b", default="base")
    ap.add_argument("--held", default=str(ROOT / "data" / "seed_tasks.jsonl"))
    ap.add_argument("--max-new-tokens", type=int, default=64)
    args = ap.parse_args()
    from seedling.device import yield_idle_threads

    yield_idle_threads()  # as every seedling command does: spinning threads slowed the plain loop 3-8x under load
    if args.judge:
        print(json.dumps(judge_bench(args)))
        return

    import torch

    from seedling import nll
    from seedling.device import choose_dtype, cpu_capability
    from seedling.formats import load
    from seedling.models import load_causal_lm
    from seedling.nll import encode_pair

    records = load(ROOT / "data" / "seed_tasks.jsonl").records[: args.rows]
    model, tokenizer = load_causal_lm(args.student, dtype="float32")
    models = {"float32": model}
    pairs = [p for p in (encode_pair(tokenizer, r, args.max_length) for r in records) if len(p[0]) > p[1]]
    n = len(pairs)
    result: dict = {"bench": "eval", "rows": n, "answer_tokens": sum(len(i) - k for i, k in pairs),
                    "tokens": sum(len(i) for i, _ in pairs), "max_length": args.max_length,
                    "batch_size": args.batch_size, "cpu": cpu_name(), "threads": torch.get_num_threads(),
                    "device": choose_dtype("auto").device, **{f"cpu_{k}": v for k, v in cpu_capability().items()}}
    choice = choose_dtype("auto")
    low = choice.name if choice.name != "float32" else None
    if low:
        models[low] = load_causal_lm(args.student, dtype=low)[0]  # as tune loads it
    variants = {"plain_fp32": ("float32", plain_nll, {}), "seedling_fp32": ("float32", fast, {})}
    if low:  # float32 sums (residual stream, norms, log-softmax), and all in the low dtype
        variants[f"seedling_{low}"] = (low, fast, {})
        variants[f"all_{low}"] = (low, fast, {"float32_sums": all_low})
        variants[f"tune_{low}_model"] = (low, as_tune_scores, {})
        models["student"] = with_adapter(load_causal_lm(args.student, dtype=low)[0])
        variants[f"tune_{low}_student"] = ("student", as_tune_scores, {})
    if args.variants:
        keep = {"plain_fp32", *args.variants.split(",")}
        variants = {key: v for key, v in variants.items() if key in keep}
    scores, times = {}, {key: [] for key in variants}
    for repeat in range(args.repeats):  # alternating, so a change in the machine's load hits all alike
        for key in (list(variants) if repeat % 2 == 0 else list(variants)[::-1]):
            dtype, fn, patches = variants[key]
            with contextlib.ExitStack() as stack:
                for name, value in patches.items():
                    stack.enter_context(patched(nll, name, value))
                scores[key], seconds = timed(functools.partial(fn, models[dtype], pairs, args.batch_size,
                                                               args.max_length))
            times[key].append(seconds)
    reference = scores["plain_fp32"]
    for key in variants:
        seconds = statistics.median(times[key])
        result[key] = {"seconds": round(seconds, 2), "rows_per_s": round(n / seconds, 2),
                       "runs_s": [round(t, 2) for t in times[key]]}
        if key != "plain_fp32":
            diffs = [abs(a - b) for a, b in zip(scores[key], reference)]
            result[key].update(max_abs_diff=round(max(diffs), 6), mean_abs_diff=round(sum(diffs) / n, 6))
    plain = result["plain_fp32"]["rows_per_s"]
    result["speedup_vs_plain"] = {key: round(result[key]["rows_per_s"] / plain, 2) for key in variants}
    print(json.dumps(result))


if __name__ == "__main__":
    main()

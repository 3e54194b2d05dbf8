"""Held-out scoring of one student by two or more checkouts of seedling (an old commit's and
today's), each the way its own `seedling tune` scores, on the same rows; and the plain float32
one-row loop (the whole vocabulary at every position) as the reference.

Each checkout runs in its own process (OpenMP reads its wait policy once, at start), with what
that checkout's command sets itself: its dtype choice, its thread policy. The timed call is the
checkout's `tune.evaluate.nll_comparison` with no base cache (base and student scored, as a lone
`seedling tune` does); each `completion_nll` call inside it is timed too. Prints one JSON line
per child; `--summary FILE` folds such lines into medians, rows/s ratios and each checkout's
per-example distance from the float32 reference (base, student, and student minus base).

    python bench/eval_versions.py --root DIR --adapter DIR [--rows 96]          # one child
    python bench/eval_versions.py --plain --adapter DIR [--rows 96]             # the reference
    python bench/eval_versions.py --summary results.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HELD = Path(__file__).resolve().parent.parent / "data" / "seed_tasks.jsonl"


def held_rows(rows: int):
    from seedling.formats import load

    return load(HELD).records[:rows]


def plain(args) -> dict:
    """The reference: float32 base and float32 student (adapter on), plain loop, sleeping threads."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from eval import plain_nll  # bench/eval.py, beside this file
    from peft import PeftModel

    from seedling.models import load_causal_lm
    from seedling.nll import encode_pair

    model, tokenizer = load_causal_lm(None, dtype="float32")
    model = PeftModel.from_pretrained(model, args.adapter).eval()
    encoded = [(r, encode_pair(tokenizer, r, args.max_length)) for r in held_rows(args.rows)]
    records, pairs = zip(*[(r, p) for r, p in encoded if len(p[0]) > p[1]])  # as tune: rows with answer tokens
    start = time.perf_counter()
    with model.disable_adapter():
        base = plain_nll(model, pairs)
    middle = time.perf_counter()
    student = plain_nll(model, pairs)
    end = time.perf_counter()
    return {"who": "plain_fp32", "skips_unscored": True, "calls_s": [middle - start, end - middle],
            "seconds": end - start, "ids": [r.id for r in records], "base": base, "student": student}


def checkout(args) -> dict:
    """One checkout's own tune scoring path (this process runs with PYTHONPATH at --root)."""
    import importlib

    device = importlib.import_module("seedling.device")
    if hasattr(device, "yield_idle_threads"):
        device.yield_idle_threads()  # what that checkout's CLI does before torch loads
    import torch
    from peft import PeftModel

    from seedling.models import load_causal_lm
    from tune import evaluate
    from tune.base_cache import BaseCache
    from tune.options import TuneOptions

    opts = TuneOptions(max_length=args.max_length)
    model, tokenizer = load_causal_lm(None, opts.dtype)
    model = PeftModel.from_pretrained(model, args.adapter).eval()
    records = held_rows(args.rows)
    calls: list[float] = []
    scorer = evaluate.completion_nll

    def timed_scorer(*a, **k):
        start = time.perf_counter()
        try:
            return scorer(*a, **k)
        finally:
            calls.append(time.perf_counter() - start)

    evaluate.completion_nll = timed_scorer
    start = time.perf_counter()
    result = evaluate.nll_comparison(model, tokenizer, records, opts, BaseCache(None, model, opts))
    seconds = time.perf_counter() - start
    rows = result["per_example"] if isinstance(result, dict) else [e.model_dump() for e in result.per_example]
    return {"who": args.name or args.root, "root": args.root, "calls_s": calls, "seconds": seconds,
            "code": evaluate.__file__, "dtype": str(next(model.parameters()).dtype), "threads": torch.get_num_threads(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"), "ids": [e["id"] for e in rows],
            "base": [e["base"] for e in rows], "student": [e["student"] for e in rows]}


def distance(values: list[float], reference: list[float]) -> dict:
    d = [abs(a - b) for a, b in zip(values, reference)]
    return {"max": round(max(d), 6), "mean": round(sum(d) / len(d), 6)}


def summary(path: Path) -> dict:
    runs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    ref = next(r for r in runs if r["who"] == "plain_fp32" and "skips_unscored" in r)
    ref_diff = [s - b for s, b in zip(ref["student"], ref["base"])]
    rows = len(ref["ids"])
    runs = [r for r in runs if r["who"] != "plain_fp32" or "skips_unscored" in r]
    out: dict = {"rows": rows}
    for who in dict.fromkeys(r["who"] for r in runs):
        mine = [r for r in runs if r["who"] == who]
        seconds = statistics.median(r["seconds"] for r in mine)
        student_s = statistics.median(r["calls_s"][-1] for r in mine)
        last = mine[-1]
        assert last["ids"] == ref["ids"], f"{who} scored other rows"
        diff = [s - b for s, b in zip(last["student"], last["base"])]
        out[who] = {"runs_s": [round(r["seconds"], 1) for r in mine], "seconds": round(seconds, 1),
                    "rows_per_s": round(2 * rows / seconds, 2), "student_rows_per_s": round(rows / student_s, 2),
                    "vs_fp32_base": distance(last["base"], ref["base"]),
                    "vs_fp32_student": distance(last["student"], ref["student"]),
                    "vs_fp32_difference": distance(diff, ref_diff),
                    **{k: last[k] for k in ("dtype", "threads", "omp_wait_policy") if k in last}}
    base = out["plain_fp32"]["rows_per_s"]
    out["speedup_vs_plain_fp32"] = {w: round(v["rows_per_s"] / base, 2) for w, v in out.items() if isinstance(v, dict)
                                    and "rows_per_s" in v}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", help="the checkout whose tune scores (its path is also on PYTHONPATH)")
    ap.add_argument("--name", default=None)
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--adapter")
    ap.add_argument("--rows", type=int, default=96)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--summary", type=Path)
    args = ap.parse_args()
    if args.summary:
        print(json.dumps(summary(args.summary)))
        return
    if args.root:
        sys.path.insert(0, str(Path(args.root).resolve()))
    print(json.dumps(plain(args) if args.plain else checkout(args)))


if __name__ == "__main__":
    main()

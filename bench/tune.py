"""Benchmark of the tune stage. Prints one JSON line:

- tokens/s of seedling's trainer vs a plain TRL SFTTrainer script (same rows, model, LoRA and
  hyper-parameters), as a median over alternating repeats, and their ratio (target >= 1.0);
- peak memory of LoRA vs full fine-tuning of the same model (ratio): on a CUDA GPU the GPU's
  peak allocated memory (torch.cuda.max_memory_allocated), on a CPU the process's peak RSS;
- the device, and on a GPU the model FLOP utilisation, 6 * parameters * tokens/s over the
  card's peak (`--peak-tflops`, e.g. 989 for an H100's dense bf16).

Each measurement runs in its own subprocess so peak memory is that run's alone.
    python bench/tune.py [--rows 32] [--steps 4] [--repeats 3] [--student DIR] [--peak-tflops N]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def child(kind: str, args) -> dict:
    import tempfile

    from seedling.formats import load
    from tune.options import TuneOptions
    from tune.train import build_trainer, load_student

    records = load(ROOT / "data" / "seed_tasks.jsonl").records[: args.rows]
    opts = TuneOptions(student=args.student, max_steps=args.steps, batch_size=args.batch_size,
                       max_length=args.max_length, save_steps=10**6, warmup_ratio=0,
                       packing=None if args.packing is None else args.packing == "on")
    model, tokenizer, choice = load_student(opts)
    params = sum(p.numel() for p in model.parameters())
    out = Path(tempfile.mkdtemp())
    if kind == "seedling":
        trainer = build_trainer(records, opts, out, model, tokenizer, choice)
    else:
        from datasets import Dataset
        from peft import LoraConfig
        from trl import SFTConfig, SFTTrainer

        rows = [{"prompt": [{"role": "user", "content": r.prompt}],
                 "completion": [{"role": "assistant", "content": r.output}]} for r in records]
        config = SFTConfig(output_dir=str(out), per_device_train_batch_size=opts.batch_size,
                           max_steps=opts.max_steps, learning_rate=opts.learning_rate,
                           max_length=opts.max_length, bf16=choice.name == "bfloat16",
                           use_cpu=choice.device == "cpu", save_strategy="no", report_to=[],
                           logging_steps=1, disable_tqdm=True)
        peft = None if kind == "full" else LoraConfig(r=opts.lora_r, lora_alpha=opts.lora_alpha,
                                                       lora_dropout=opts.lora_dropout,
                                                       target_modules="all-linear", task_type="CAUSAL_LM")
        trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows),
                             processing_class=tokenizer, peft_config=peft)
    import torch

    gpu = choice.device == "cuda"
    if gpu:
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    tokens = max(h.get("num_tokens", 0) for h in trainer.state.log_history)
    peak_mb = (torch.cuda.max_memory_allocated() if gpu else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) / 2**20
    return {"kind": kind, "device": torch.cuda.get_device_name() if gpu else "cpu", "dtype": choice.name,
            "params": params, "tokens": tokens, "seconds": seconds, "tokens_per_s": tokens / seconds,
            "peak_mb": peak_mb, "memory": "gpu_max_allocated" if gpu else "host_peak_rss"}


def run(kind: str, args) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--rows", str(args.rows), "--steps", str(args.steps),
           "--batch-size", str(args.batch_size), "--max-length", str(args.max_length)]
    if args.student:
        cmd += ["--student", args.student]
    if args.packing is not None:
        cmd += ["--packing", args.packing]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--child")
    p.add_argument("--rows", type=int, default=32)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--student", default=None)
    p.add_argument("--packing", choices=["on", "off"], default=None, help="seedling's packing (default: by device)")
    p.add_argument("--peak-tflops", type=float, default=None, help="the GPU's peak dense bf16 TFLOP/s, for MFU")
    args = p.parse_args()
    from seedling.device import yield_idle_threads

    yield_idle_threads()  # as every seedling command does; its children inherit it
    if args.child:
        print(json.dumps(child(args.child, args)))
        return
    import torch

    started = time.perf_counter()
    seedling, plain = [], []
    for _ in range(args.repeats):  # alternate, so drift on a noisy machine hits both alike
        seedling.append(run("seedling", args))
        plain.append(run("plain-trl", args))
    full = run("full", args)
    s_tps = statistics.median(r["tokens_per_s"] for r in seedling)
    p_tps = statistics.median(r["tokens_per_s"] for r in plain)
    lora_mb = statistics.median(r["peak_mb"] for r in plain)
    line = {
        "bench": "tune",
        "device": seedling[0]["device"],
        "cpu": torch.backends.cpu.get_cpu_capability(),
        "dtype": seedling[0]["dtype"],
        "memory": seedling[0]["memory"],
        "rows": args.rows, "steps": args.steps, "batch_size": args.batch_size, "max_length": args.max_length,
        "repeats": args.repeats,
        "seedling_tokens_per_s": round(s_tps, 1),
        "plain_trl_tokens_per_s": round(p_tps, 1),
        "ratio_seedling_vs_plain_trl": round(s_tps / p_tps, 3),
        "seedling_peak_mb": round(statistics.median(r["peak_mb"] for r in seedling)),
        "lora_peak_mb": round(lora_mb),
        "full_ft_peak_mb": round(full["peak_mb"]),
        "ratio_full_vs_lora_memory": round(full["peak_mb"] / lora_mb, 2),
        "full_ft_tokens_per_s": round(full["tokens_per_s"], 1),
    }
    if args.peak_tflops:
        line["seedling_mfu"] = round(6 * seedling[0]["params"] * s_tps / (args.peak_tflops * 1e12), 4)
        line["plain_trl_mfu"] = round(6 * plain[0]["params"] * p_tps / (args.peak_tflops * 1e12), 4)
    print(json.dumps({
        **line,
        "wall_s": round(time.perf_counter() - started, 1),
    }))


if __name__ == "__main__":
    main()

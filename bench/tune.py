"""Benchmark of the tune stage. Prints one JSON line:

- tokens/s of seedling's trainer with its defaults for this device against plain TRL SFTTrainer
  scripts on the same rows, model, LoRA and hyper-parameters: TRL's defaults (`defaults`:
  gradient checkpointing on, no packing), `no-checkpointing`, and `wrapped` (packing that cuts
  rows into max_length blocks, checkpointing off; the fastest plain settings on an H200, though
  rows then attend across their borders). Tokens are the rows' real tokens (no padding), counted
  as the collator hands them over, over the steps after --warmup; medians over alternating
  repeats; each variant's ratio to seedling, and seedling's to the best plain one;
- peak memory of each (on a CUDA GPU the GPU's peak allocated memory, on a CPU the process's
  peak RSS), and with --full that of full fine-tuning against LoRA;
- the device, and on a GPU the model FLOP utilisation by 6N: 6 * parameters * tokens/s over
  the card's peak (`--peak-tflops`, e.g. 790 for the bf16 rate measured on an H200).

Each measurement runs in its own subprocess so peak memory is that run's alone.
    python bench/tune.py [--data FILE] [--rows 32] [--steps 4] [--warmup 1] [--repeats 3]
        [--plain defaults,wrapped] [--full] [--student DIR] [--peak-tflops N]
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
PLAIN = {
    "defaults": {},
    "no-checkpointing": {"gradient_checkpointing": False},
    "wrapped": {"gradient_checkpointing": False, "packing": True, "packing_strategy": "wrapped"},
}


class Counted:
    """The trainer's collator, noting each batch's real tokens in the order batches are made."""

    def __init__(self, collate):
        self.collate, self.tokens = collate, []

    def __call__(self, examples):
        self.tokens.append(sum(len(e["input_ids"]) for e in examples))
        return self.collate(examples)


def step_clock():
    import torch
    from transformers import TrainerCallback

    def now() -> float:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return time.perf_counter()

    class Clock(TrainerCallback):
        """When training began and when each step ended."""

        def __init__(self):
            self.start, self.ends = 0.0, []

        def on_train_begin(self, args, state, control, **kwargs):
            self.start = now()

        def on_step_end(self, args, state, control, **kwargs):
            self.ends.append(now())

    return Clock()


def plain_trainer(kind: str, records, opts, out: Path, model, tokenizer, choice):
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    from tune.data import to_prompt_completion

    config = SFTConfig(output_dir=str(out), per_device_train_batch_size=opts.batch_size, max_steps=opts.max_steps,
                       learning_rate=opts.learning_rate, max_length=opts.max_length,
                       bf16=choice.name == "bfloat16", use_cpu=choice.device == "cpu", save_strategy="no",
                       report_to=[], logging_steps=1, disable_tqdm=True, **PLAIN.get(kind, {}))
    peft = None if kind == "full" else LoraConfig(r=opts.lora_r, lora_alpha=opts.lora_alpha,
                                                   lora_dropout=opts.lora_dropout, target_modules="all-linear",
                                                   task_type="CAUSAL_LM")
    return SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list([to_prompt_completion(r) for r in records]),
                      processing_class=tokenizer, peft_config=peft)


def child(kind: str, args) -> dict:
    import tempfile

    import torch

    from seedling.device import choose_dtype
    from seedling.formats import load
    from seedling.models import load_causal_lm
    from tune.options import TuneOptions
    from tune.train import build_trainer, load_student

    records = load(Path(args.data)).records[: args.rows]
    opts = TuneOptions(student=args.student, max_steps=args.steps, batch_size=args.batch_size,
                       max_length=args.max_length, save_steps=10**6, warmup_ratio=0,
                       packing=None if args.packing is None else args.packing == "on")
    if kind == "seedling":
        model, tokenizer, choice = load_student(opts)
    else:  # plain TRL loads the model as transformers does (sdpa)
        choice = choose_dtype(opts.dtype)
        model, tokenizer = load_causal_lm(opts.student, opts.dtype)
    params = sum(p.numel() for p in model.parameters())
    out = Path(tempfile.mkdtemp())
    if kind == "seedling":
        trainer = build_trainer(records, opts, out, model, tokenizer, choice)
    else:
        trainer = plain_trainer(kind, records, opts, out, model, tokenizer, choice)
    counted, clock = Counted(trainer.data_collator), step_clock()
    trainer.data_collator = counted
    trainer.add_callback(clock)
    gpu = choice.device == "cuda"
    if gpu:
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    first, last = args.warmup, len(clock.ends)  # timed: the steps after the warm-up
    if last <= first:
        raise SystemExit(f"{kind}: {last} steps ran, not more than --warmup {first}")
    tokens = sum(counted.tokens[first:last])
    seconds = clock.ends[last - 1] - (clock.ends[first - 1] if first else clock.start)
    peak_mb = (torch.cuda.max_memory_allocated() if gpu else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) / 2**20
    return {"kind": kind, "device": torch.cuda.get_device_name() if gpu else "cpu", "dtype": choice.name,
            "attention": model.config._attn_implementation, "params": params, "tokens": tokens,
            "timed_steps": last - first, "seconds": seconds, "tokens_per_s": tokens / seconds,
            "peak_mb": peak_mb, "memory": "gpu_max_allocated" if gpu else "host_peak_rss"}


def run(kind: str, args) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--data", args.data, "--rows", str(args.rows),
           "--steps", str(args.steps), "--warmup", str(args.warmup), "--batch-size", str(args.batch_size),
           "--max-length", str(args.max_length)]
    if args.student:
        cmd += ["--student", args.student]
    if args.packing is not None:
        cmd += ["--packing", args.packing]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--child")
    p.add_argument("--data", default=str(ROOT / "data" / "seed_tasks.jsonl"), help="rows to train on (any format seedling reads)")
    p.add_argument("--rows", type=int, default=32)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--warmup", type=int, default=1, help="first steps left out of the timing")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--plain", default="defaults", help=f"plain TRL settings to compare, of {','.join(PLAIN)}")
    p.add_argument("--full", action="store_true", help="also full fine-tuning (plain TRL), for its memory")
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
    kinds = ["seedling", *args.plain.split(",")]
    unknown = set(kinds[1:]) - set(PLAIN)
    if unknown:
        raise SystemExit(f"--plain: unknown {sorted(unknown)}; choose from {sorted(PLAIN)}")
    if args.full and "defaults" not in kinds:
        raise SystemExit("--full is compared with LoRA under TRL's defaults: add defaults to --plain")
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for repeat in range(args.repeats):  # alternating, so drift on a noisy machine hits all alike
        for kind in kinds if repeat % 2 == 0 else kinds[::-1]:
            runs[kind].append(run(kind, args))
    first = runs["seedling"][0]
    line = {"bench": "tune", "device": first["device"], "cpu": torch.backends.cpu.get_cpu_capability(),
            "dtype": first["dtype"], "memory": first["memory"], "params": first["params"], "rows": args.rows,
            "steps": args.steps, "warmup": args.warmup, "batch_size": args.batch_size,
            "max_length": args.max_length, "repeats": args.repeats}
    rate = {k: statistics.median(r["tokens_per_s"] for r in v) for k, v in runs.items()}
    for kind, done in runs.items():
        key = kind.replace("-", "_")
        line[f"{key}_attention"] = done[0]["attention"]
        line[f"{key}_tokens_per_s"] = round(rate[kind], 1)
        line[f"{key}_runs_tokens_per_s"] = [round(r["tokens_per_s"], 1) for r in done]
        line[f"{key}_peak_mb"] = round(statistics.median(r["peak_mb"] for r in done))
        if args.peak_tflops:
            line[f"{key}_mfu_6n"] = round(6 * first["params"] * rate[kind] / (args.peak_tflops * 1e12), 4)
        if kind != "seedling":
            line[f"ratio_seedling_vs_{key}"] = round(rate["seedling"] / rate[kind], 3)
    best = max(kinds[1:], key=rate.get)
    line.update(best_plain=best, ratio_seedling_vs_best_plain=round(rate["seedling"] / rate[best], 3))
    if args.full:  # full fine-tuning with TRL's defaults, against LoRA with the same
        full = run("full", args)
        lora = line["defaults_peak_mb"]
        line.update(full_ft_peak_mb=round(full["peak_mb"]), full_ft_tokens_per_s=round(full["tokens_per_s"], 1),
                    ratio_full_vs_lora_memory=round(full["peak_mb"] / lora, 2))
    print(json.dumps({**line, "wall_s": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()

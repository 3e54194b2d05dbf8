"""Benchmark scoring and selection; prints one JSON line.

    python bench/selection.py                 # ~15 min on 2 AVX2 cores the first time; the ranking
                                           # rows are then cached (seedling's cache / scores)
    python bench/selection.py --parts ranking,students --tasks 90   # a smaller ranking set

Students (selected-N vs random-N): every tenth seed task is held out; the pool is the other
tasks (the first --tasks of them) under the three variants below, so two rows in three are
bad (a mismatched or a cut answer). `seedling curate POOL --select N` (N = the tasks) against
N random kept rows, then one LoRA student on each through `seedling tune`, same steps, seed
and held-out file; the figure is the paired per-example difference of held-out NLL per token
(random minus selected: above 0, the selected rows taught more) with its 95 % interval, and
what each training set held (true, other, cut).

Ranking sanity (shipped data/seed_tasks.jsonl): each seed task three times, with its true
output, with another task's output (the next task's), and with its own output cut to its first
third (by words). Pairwise accuracy = share of (true, other) and (true, cut) pairs where the true
output ranks first: by IFD (lower first) and by the combined score selection uses (higher
first, computed over the 3 x 175-row pool). Goal >= 0.9.

IFD cost: the scorer (length-sorted batches, answer-only projection) vs a plain batch-1
forward loop (full logits, log-softmax) over the same rows and the same two sequences per row,
timed alternately in this process: tokens/s of each and the median ratio (goal >= 1.5), and
the scorer's rows/s. A cut that leaves an output unchanged (one or two words) makes no pair. Greedy selection: 100K random unit vectors (256-d), random scores, 30 random
clusters, budget 30 %, threshold 0.77 (static model's calibrated duplicate threshold).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402

import seedling  # noqa: E402,F401  (offline environment)
from curate.scores import run_scorer  # noqa: E402
from curate.scores.ifd import IFDScorer  # noqa: E402
from curate.select import combined_score, greedy  # noqa: E402
from curate import quality  # noqa: E402
from curate.scores import row_key  # noqa: E402
from seedling.formats import load, save  # noqa: E402
from seedling.stats import mean_ci  # noqa: E402
from seedling.models import cache_dir  # noqa: E402
from seedling.record import Record  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seed_tasks.jsonl"


def variants(records: list[Record]) -> list[Record]:
    """true outputs, then another task's output, then each output cut to its first third."""
    n = len(records)
    other = [Record(r.instruction, records[(i + 1) % n].output, r.input) for i, r in enumerate(records)]
    cut = []
    for r in records:
        words = r.output.split()
        cut.append(Record(r.instruction, " ".join(words[: max(1, len(words) // 3)]), r.input))
    return list(records) + other + cut


def pairwise_accuracy(better: np.ndarray, n: int, counted: np.ndarray) -> dict:
    """`better[i]` True when the true row beats its variant (pairs [0, n): other outputs,
    [n, 2n): cut outputs); only `counted` pairs count (a cut that changes nothing is no pair)."""
    other, cut = better[:n][counted[:n]], better[n:][counted[n:]]
    return {"accuracy": round(float(np.mean(better[counted])), 4), "pairs": int(counted.sum()),
            "vs_other": round(float(np.mean(other)), 4), "vs_cut": round(float(np.mean(cut)), 4)}


def ranking(scorer: IFDScorer, records: list[Record]) -> dict:
    pool = variants(records)
    n = len(records)
    values, summary = run_scorer(scorer, pool, cache_dir() / "scores", Console(stderr=True))
    ifd = np.array([v["ifd"] if v["ifd"] is not None else np.inf for v in values])
    qualities = [quality.score(r)[0] for r in pool]
    combined, _ = combined_score(qualities, values)
    true_ifd, true_c = np.tile(ifd[:n], 2), np.tile(combined[:n], 2)
    counted = np.array([pool[i].output != pool[i % n].output for i in range(n, 3 * n)])
    return {"tasks": n, "pool": len(pool),
            "ifd": pairwise_accuracy(true_ifd < ifd[n:], n, counted),
            "combined": pairwise_accuracy(true_c > combined[n:], n, counted),
            "ifd_median": {"true": round(float(np.median(ifd[:n])), 4), "other": round(float(np.median(ifd[n:2 * n])), 4),
                           "cut": round(float(np.median(ifd[2 * n:])), 4)},
            "flagged_ifd_ge_1": {"true": int((ifd[:n] >= 1).sum()), "other": int((ifd[n:2 * n] >= 1).sum()),
                                 "cut": int((ifd[2 * n:] >= 1).sum())},
            "scored_now": summary["scored"], "rows_per_s": summary["rows_per_s"]}


def baseline_loop(model, sequences) -> float:
    """Plain batch-1 forward: full logits, log-softmax, answer tokens picked out."""
    import torch

    for ids, n_prompt in sequences:
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0, :-1].float()
        logprobs = torch.log_softmax(logits, dim=-1)
        target = torch.tensor(ids[1:])
        picked = logprobs.gather(-1, target.unsqueeze(-1)).squeeze(-1)
        float(-picked[n_prompt - 1:].sum())
    return 0.0


def cost(scorer: IFDScorer, records: list[Record], reps: int) -> dict:
    """The scorer and the batch-1 loop alternately, `reps` times each on the same rows: on a
    machine shared with other jobs one timing says little, so the medians of the per-pair
    ratios are reported, by wall clock and by this process's CPU time."""
    from seedling.nll import render

    model, tokenizer = scorer._model()
    empty = render(tokenizer, [{"role": "user", "content": ""}], "")[0]
    sequences = [s for r in records for s in scorer.pairs(tokenizer, r, empty)]
    tokens = sum(len(ids) for ids, _ in sequences)
    scorer.score(records[:2])  # warm-up

    def clock(work) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        return time.perf_counter() - wall, time.process_time() - cpu

    ours, plain = [], []
    for _ in range(reps):
        ours.append(clock(lambda: scorer.score(records)))
        plain.append(clock(lambda: baseline_loop(model, sequences)))
    wall = [p[0] / o[0] for o, p in zip(ours, plain)]
    cpu = [p[1] / o[1] for o, p in zip(ours, plain)]
    best = min(o[0] for o in ours)
    return {"rows": len(records), "tokens": tokens, "reps": reps,
            "speedup_wall_median": round(float(np.median(wall)), 2), "speedup_cpu_median": round(float(np.median(cpu)), 2),
            "speedup_wall": [round(x, 2) for x in wall], "speedup_cpu": [round(x, 2) for x in cpu],
            "scorer_tokens_per_s": round(tokens / float(np.median([o[0] for o in ours])), 1),
            "batch1_tokens_per_s": round(tokens / float(np.median([p[0] for p in plain])), 1),
            "scorer_rows_per_s": round(len(records) / float(np.median([o[0] for o in ours])), 3),
            "scorer_rows_per_s_best": round(len(records) / best, 3), "batch_tokens": scorer.batch_tokens}


def selection_speed(n: int = 100_000, dim: int = 256) -> dict:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    score, labels = rng.random(n), rng.integers(0, 30, size=n)
    t = time.perf_counter()
    picked = greedy(x, score, labels, np.arange(n), int(0.3 * n), 0.77)
    total = time.perf_counter() - t
    return {"candidates": n, "dim": dim, "budget": int(0.3 * n), "chosen": len(picked.chosen),
            "greedy_s": picked.summary["greedy_seconds"], "with_reasons_s": round(total, 2)}


def _seedling(*args: str) -> None:
    """The CLI as a user runs it, from this checkout's environment."""
    subprocess.run([sys.executable, "-m", "seedling", *args], check=True, stdout=subprocess.DEVNULL)


def students(records: list[Record], tasks: int, steps: int, work: Path) -> dict:
    held = records[::10]
    train = [r for i, r in enumerate(records) if i % 10][:tasks]
    pool = variants(train)
    kind = {row_key(r): k for k, rows in (("true", pool[:tasks]), ("other", pool[tasks:2 * tasks]),
                                          ("cut", pool[2 * tasks:])) for r in rows}
    work.mkdir(parents=True, exist_ok=True)
    save(pool, work / "pool.jsonl")
    save(held, work / "held.jsonl")
    _seedling("curate", str(work / "pool.jsonl"), "--out", str(work / "curated"), "--select", str(tasks))
    chosen = load(work / "curated" / "selected.jsonl").records
    kept = load(work / "curated" / "kept.jsonl").records
    arms = {"selected": chosen, "random": random.Random(0).sample(kept, len(chosen))}
    (work / "tune.yaml").write_text("tune:\n  samples: 0\n  checks: \"off\"\n  save_steps: 1000\n")
    per_example = {}
    for arm, rows in arms.items():
        save(rows, work / f"{arm}.jsonl")
        _seedling("tune", str(work / f"{arm}.jsonl"), "--out", str(work / arm), "--eval-file", str(work / "held.jsonl"),
                  "--max-steps", str(steps), "--batch-size", "8", "--max-length", "256", "-c", str(work / "tune.yaml"))
        nll = json.loads((work / arm / "eval.json").read_text())["nll"]
        per_example[arm] = {e["id"]: e["student"] for e in nll["per_example"]}
        base = {e["id"]: e["base"] for e in nll["per_example"]}
    ids = sorted(set(per_example["selected"]) & set(per_example["random"]))
    diff = mean_ci([per_example["random"][i] - per_example["selected"][i] for i in ids])
    mix = {arm: dict(Counter(kind.get(row_key(r), "?") for r in rows)) for arm, rows in arms.items()}
    return {"pool": len(pool), "kept": len(kept), "n": len(chosen), "steps": steps, "held_out": len(ids), "mix": mix,
            "nll": {arm: round(float(np.mean([v[i] for i in ids])), 4) for arm, v in per_example.items()}
            | {"base": round(float(np.mean([base[i] for i in ids])), 4)},
            "random_minus_selected": diff}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", default="speed,cost,ranking,students")
    parser.add_argument("--tasks", type=int, default=None, help="seed tasks in the ranking and student pools (default all)")
    parser.add_argument("--cost-rows", type=int, default=12, help="rows timed against the batch-1 loop")
    parser.add_argument("--reps", type=int, default=3, help="alternating timings of each")
    parser.add_argument("--steps", type=int, default=20, help="LoRA steps per student")
    parser.add_argument("--work", type=Path, default=Path("runs/bench-selection"))
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    records = load(SEEDS).records
    scorer = IFDScorer(None)
    out = {"bench": "select", "cpu": platform.processor() or platform.machine(), "cores": len(os.sched_getaffinity(0)),
           "dtype": scorer.dtype.name, "model": "SmolLM2-135M-Instruct (embedded)"}
    if "speed" in parts:
        out["selection_100k"] = selection_speed()
    if "cost" in parts:
        out["ifd_cost"] = cost(scorer, random.Random(0).sample(records, args.cost_rows), args.reps)
        out["demo_pool"] = {"rows": 64, "ifd_s_at_measured_rows_per_s": round(64 / out["ifd_cost"]["scorer_rows_per_s"], 1)}
    if "ranking" in parts:
        train = [r for i, r in enumerate(records) if i % 10][:args.tasks] if args.tasks else records
        out["ranking"] = ranking(scorer, train)
    if "students" in parts:
        tasks = args.tasks or sum(1 for i in range(len(records)) if i % 10)
        out["students"] = students(records, tasks, args.steps, args.work)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

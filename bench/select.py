"""Benchmark scoring and selection; prints one JSON line.

    python bench/select.py                 # ~15 min on 2 AVX2 cores the first time; the ranking
                                           # rows are then cached (seedling's cache / scores)

Ranking sanity (shipped data/seed_tasks.jsonl): each seed task three times, with its true
output, with another task's output (the next task's), and with its own output cut to its first
third (by words). Pairwise accuracy = share of (true, other) and (true, cut) pairs where the true
output ranks first: by IFD (lower first) and by the combined score selection uses (higher
first, computed over the 3 x 175-row pool). Goal >= 0.9.

IFD cost: the scorer (length-sorted batches, answer-only projection) vs a plain batch-1
forward loop (full logits, log-softmax) over the same rows and the same two sequences per row,
timed side by side in this process: tokens/s of each and the ratio (goal >= 1.5), and the
scorer's rows/s. Greedy selection: 100K random unit vectors (256-d), random scores, 30 random
clusters, budget 30 %, threshold 0.77 (static model's calibrated duplicate threshold).
"""

from __future__ import annotations

import sys
from pathlib import Path

# this file's name shadows the standard library's `select` (which subprocess imports): run
# with the repository root, not bench/, first on the path
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402

import seedling  # noqa: E402,F401  (offline environment)
from curate.scores import run_scorer  # noqa: E402
from curate.scores.ifd import IFDScorer  # noqa: E402
from curate.select import combined_score, greedy  # noqa: E402
from curate import quality  # noqa: E402
from seedling.formats import load  # noqa: E402
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


def pairwise_accuracy(better: np.ndarray, n: int) -> dict:
    """`better[i]` True when the true row i beats its variant; rows [0, n) vs [n, 2n) and [2n, 3n)."""
    other, cut = better[:n], better[n:]
    return {"accuracy": round(float(np.mean(better)), 4), "vs_other": round(float(np.mean(other)), 4),
            "vs_cut": round(float(np.mean(cut)), 4)}


def ranking(scorer: IFDScorer, records: list[Record]) -> dict:
    pool = variants(records)
    n = len(records)
    values, summary = run_scorer(scorer, pool, cache_dir() / "scores", Console(stderr=True))
    ifd = np.array([v["ifd"] if v["ifd"] is not None else np.inf for v in values])
    qualities = [quality.score(r)[0] for r in pool]
    combined, _ = combined_score(qualities, values)
    true_ifd, true_c = np.tile(ifd[:n], 2), np.tile(combined[:n], 2)
    return {"tasks": n, "pool": len(pool),
            "ifd": pairwise_accuracy(true_ifd < ifd[n:], n),
            "combined": pairwise_accuracy(true_c > combined[n:], n),
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


def cost(scorer: IFDScorer, records: list[Record]) -> dict:
    model, tokenizer = scorer._model()
    from seedling.nll import render

    empty = render(tokenizer, [{"role": "user", "content": ""}], "")[0]
    sequences = [s for r in records for s in scorer.pairs(tokenizer, r, empty)]
    tokens = sum(len(ids) for ids, _ in sequences)
    scorer.score(records[:2])  # warm-up
    t = time.perf_counter()
    scorer.score(records)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    baseline_loop(model, sequences)
    plain = time.perf_counter() - t
    return {"rows": len(records), "tokens": tokens, "scorer_tokens_per_s": round(tokens / ours, 1),
            "batch1_tokens_per_s": round(tokens / plain, 1), "speedup": round(plain / ours, 2),
            "scorer_rows_per_s": round(len(records) / ours, 3), "batch_tokens": scorer.batch_tokens}


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cost-rows", type=int, default=16, help="rows timed against the batch-1 loop")
    args = parser.parse_args()
    records = load(SEEDS).records
    scorer = IFDScorer(None)
    out = {"bench": "select", "cpu": platform.processor() or platform.machine(), "cores": len(os.sched_getaffinity(0)),
           "dtype": scorer.dtype.name, "model": "SmolLM2-135M-Instruct (embedded)"}
    out["selection_100k"] = selection_speed()
    out["ifd_cost"] = cost(scorer, random.Random(0).sample(records, args.cost_rows))
    out["ranking"] = ranking(scorer, records)
    out["demo_pool"] = {"rows": 64, "ifd_s_at_measured_rows_per_s": round(64 / out["ifd_cost"]["scorer_rows_per_s"], 1)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()

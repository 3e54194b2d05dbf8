"""Benchmark of the IFD scorer (curate/scores/ifd.py), the model-based quality score, on this
device. Prints one JSON line: rows/s and tokens/s (both passes, as the scorer counts them) as
the median of --repeats passes over the same rows, after one untimed pass that loads the model
and warms the kernels; the device and dtype it ran in.

    python bench/ifd.py [--data FILE] [--rows 256] [--repeats 3] [--model DIR] [--batch-tokens 4096]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=str(ROOT / "data" / "seed_tasks.jsonl"), help="rows to score (any format seedling reads)")
    p.add_argument("--rows", type=int, default=256)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--model", default=None, help="a causal LM directory (default: the embedded SmolLM2-135M)")
    p.add_argument("--batch-tokens", type=int, default=4096)
    args = p.parse_args()
    from seedling.device import yield_idle_threads

    yield_idle_threads()
    import torch

    from curate.scores.ifd import IFDScorer
    from seedling.formats import load

    records = load(Path(args.data)).records[: args.rows]
    scorer = IFDScorer(args.model, batch_tokens=args.batch_tokens)
    scorer.score(records[:8])  # loads the model; the first kernels are slow everywhere
    seconds, tokens = [], 0
    for _ in range(args.repeats):
        before = scorer.tokens
        start = time.perf_counter()
        scored = scorer.score(records)
        seconds.append(time.perf_counter() - start)
        tokens = scorer.tokens - before
    median = statistics.median(seconds)
    print(json.dumps({"bench": "ifd", "device": scorer.dtype.device, "dtype": scorer.dtype.name,
                      "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
                      "cpu": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
                      "rows": len(records), "scored": sum(v["ifd"] is not None for v in scored),
                      "tokens": tokens, "batch_tokens": args.batch_tokens, "seconds": round(median, 2),
                      "runs_s": [round(s, 2) for s in seconds], "rows_per_s": round(len(records) / median, 2),
                      "tokens_per_s": round(tokens / median)}))


if __name__ == "__main__":
    main()

"""Benchmark seedling beyond one process; prints one JSON line.

    python bench/scale.py                       # every part
    python bench/scale.py --parts generate      # generation over several teacher servers (~2 min)
    python bench/scale.py --parts curate        # curate 1M built rows (--rows N to run smaller, --ray)

generate: see bench/scale_generate.py.

curate: a deterministic set built from shipped data only. Its words are drawn, at their
frequency, from the seed tasks (data/seed_tasks.jsonl), the bias lexicons' nouns and the name
list; every row is a fresh draw (an instruction of 8-24 words, an input of 40-140 words on
55 % of rows, an answer of 20-90 words), so rows share no passage by accident. The 175 seed
tasks and the planted copies of tests/data/curate/planted.py (real rewordings and real
paraphrases) open the set; on top, copies of random built rows are planted at known rates:

- exact (2 %): case, spacing and punctuation changed;
- near (1 %): one word of the prompt replaced and one answer word dropped (rows whose prompt
  has 30+ words and answer 25+);
- paraphrase (1 %): rows without an input, the instruction's words reordered and its last
  word dropped, answer the same (the near tier cannot see these: no word 3-grams in common).

Reported: wall time of the default curate (static embedder, an empty embedding cache, so
embedding is counted); its peak RSS, the largest forked worker's of curate/parallel.py (most
of it pages shared with the parent), and the peak of the whole process tree's summed PSS,
which counts each shared page once: the memory the run needs (and the CPU its sampling took);
recall of each planted kind and which tier removed them, and the rows removed that were not
planted. Timings are of this machine: say which CPU.
With `--ray`, the same curate on a local 2-worker Ray cluster on 127.0.0.1: whether the
kept ids are identical, and its time over the one-process time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from seedling.record import Record  # noqa: E402
from seedling.text import words  # noqa: E402
from bench.scale_generate import bench_generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


RATES = {"exact": 0.02, "near": 0.01, "paraphrase": 0.01}


def vocabulary() -> tuple[np.ndarray, np.ndarray]:
    """Words of the shipped data and their frequencies."""
    from tests.data.curate.planted import seed_records

    counts: Counter[str] = Counter()
    for r in seed_records():
        counts.update(words(f"{r.instruction} {r.input} {r.output}"))
    nouns = json.loads((ROOT / "data" / "holistic_bias" / "nouns.json").read_text())
    counts.update(w for forms in nouns.values() for pair in forms for w in pair)
    names = json.loads((ROOT / "data" / "names" / "first_names.json").read_text())
    counts.update(n for pair in names["pairs_female_male"] for n in pair)
    vocab = sorted(counts)
    freq = np.array([counts[w] for w in vocab], dtype=np.float64)
    return np.array(vocab, dtype=object), freq / freq.sum()


def _text(vocab: np.ndarray, ids: np.ndarray, end: str) -> str:
    ws = vocab[ids].tolist()
    ws[0] = ws[0].capitalize()
    return " ".join(ws) + end


def build(n: int, seed: int = 0) -> tuple[list[Record], dict[str, list[int]]]:
    """`n` rows (at least the planted seed set) and the indices of the planted copies by kind."""
    from tests.data.curate.planted import planted

    rows, kinds = planted()
    kinds = {"exact": kinds["exact"], "near": kinds["reworded"] + kinds["near"], "paraphrase": kinds["paraphrased"]}
    plants = {k: int(rate * n) for k, rate in RATES.items()}
    fresh = max(0, n - len(rows) - sum(plants.values()))
    rng = np.random.default_rng(seed)
    vocab, p = vocabulary()
    lengths = np.stack([rng.integers(8, 25, fresh), np.where(rng.random(fresh) < 0.55, rng.integers(40, 141, fresh), 0),
                        rng.integers(20, 91, fresh)], axis=1)
    drawn = rng.choice(len(vocab), int(lengths.sum()), p=p)
    at = 0
    start = len(rows)
    for li, ni, lo in lengths.tolist():
        ins, inp, out = np.split(drawn[at:at + li + ni + lo], [li, li + ni])
        at += li + ni + lo
        rows.append(Record(_text(vocab, ins, "?" if li % 3 == 0 else "."), _text(vocab, out, "."),
                           input=_text(vocab, inp, ".") if ni else "", source="generated"))
    built = np.arange(start, len(rows))
    shape = {i: (len(rows[i].instruction.split()) + len(rows[i].input.split()), len(rows[i].output.split()),
                 bool(rows[i].input)) for i in built.tolist()}
    pools = {"exact": built,
             "near": np.array([i for i, (pw, ow, _) in shape.items() if pw >= 30 and ow >= 25], dtype=np.int64),
             "paraphrase": np.array([i for i, (_, _, has) in shape.items() if not has], dtype=np.int64)}
    used: set[int] = set()
    for kind, count in plants.items():
        pool = pools[kind][~np.isin(pools[kind], list(used))] if used else pools[kind]
        for i in rng.choice(pool, min(count, len(pool)), replace=False).tolist():
            used.add(i)
            rows.append(_copy(rows[i], kind, rng, vocab))
            kinds[kind].append(len(rows) - 1)
    return rows, kinds


def _copy(r: Record, kind: str, rng: np.random.Generator, vocab: np.ndarray) -> Record:
    if kind == "exact":
        return replace(r, instruction="  " + r.instruction.upper().rstrip(".?") + " !! ", input=r.input.replace(" ", "  "))
    out = r.output.split()
    if kind == "near":
        field = "input" if r.input else "instruction"
        ws = getattr(r, field).split()
        k = int(rng.integers(1, len(ws) - 1))
        ws[k] = str(vocab[rng.integers(len(vocab))])
        del out[len(out) // 2]
        return replace(r, **{field: " ".join(ws)}, output=" ".join(out))
    ws = r.instruction.rstrip(".?").split()
    order = rng.permutation(len(ws))[:-1]
    return replace(r, instruction=" ".join(ws[k] for k in order).capitalize() + "?")


def bench_curate(args) -> dict:
    return curate_part(args.rows, args.embedder, on_ray=args.ray)


class PeakMemory(threading.Thread):
    """The peak of the summed proportional set size (PSS) of this process and its children,
    sampled about each second: a forked worker shares its parent's pages until it writes to
    them, so adding the workers' RSS to the parent's would count the shared pages twice. Reading
    PSS walks every page (smaps_rollup): at a million rows a read took a tenth of a second of the
    CPU the curate beside it wants (25 s in all). So it is read only when the summed RSS, read
    cheaply and never below the PSS, is above the peak so far, and never more often than keeps
    its cost under 5 % of one core; `cpu_s` says what the sampling cost."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.cpu_s = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        started, next_read = time.thread_time(), 0.0
        while not self.done.wait(1.0):
            processes = [me, *me.children(recursive=True)]
            if time.perf_counter() < next_read or _summed(processes, lambda p: p.memory_info().rss) <= self.peak_mb:
                continue
            cost = time.thread_time()
            self.peak_mb = max(self.peak_mb, _summed(processes, lambda p: p.memory_full_info().pss))
            next_read = time.perf_counter() + 20 * (time.thread_time() - cost)
            self.cpu_s = time.thread_time() - started


def _summed(processes, measure) -> float:
    """The processes' measures summed, in MB; one that ended meanwhile counts nothing."""
    import psutil

    total = 0
    for p in processes:
        try:
            total += measure(p)
        except (psutil.Error, AttributeError):
            continue
    return total / 2**20


def curate_part(n: int, embedder_spec: str = "static", seed: int = 0, on_ray: bool = False) -> dict:
    from curate.embedders import load_embedder
    from curate.options import CurateOptions
    from curate.pipeline import curate

    t = time.perf_counter()
    rows, kinds = build(n, seed)
    build_s = time.perf_counter() - t
    embedder = load_embedder(embedder_spec)
    with tempfile.TemporaryDirectory(prefix="seedling-scale-") as cache:
        memory = PeakMemory()
        memory.start()
        t = time.perf_counter()
        result = curate(rows, CurateOptions(cache=cache), embedder=embedder)
        wall = time.perf_counter() - t
        memory.done.set()
        memory.join()
    by = {r.index: r.tier for r in result.dedup.removals}
    planted_rows = {i for idx in kinds.values() for i in idx}
    out = {"rows": len(rows), "mean_row_chars": round(sum(len(r.instruction) + len(r.input) + len(r.output)
                                                           for r in rows) / len(rows)),
           "build_s": round(build_s, 1), "curate_s": round(wall, 1),
           "planted": {k: len(v) for k, v in kinds.items()},
           "recall": {k: round(sum(i in by for i in v) / max(len(v), 1), 4) for k, v in kinds.items()},
           "removed_by_tier_of_planted": {k: dict(Counter(by[i] for i in v if i in by)) for k, v in kinds.items()},
           "removed": len(by), "removed_not_planted": sum(1 for i in by if i not in planted_rows),
           "removed_not_planted_examples": [result.rows[i].extra["reason"] + " :: " + rows[i].instruction[:60]
                                            for i in sorted(set(by) - planted_rows)[:3]],
           "timings_s": result.audit.timings_s,
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "peak_rss_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
           "peak_pss_all_mb": round(memory.peak_mb), "memory_sampling_cpu_s": round(memory.cpu_s, 1)}
    if on_ray:
        out["ray"] = _on_ray(rows, embedder, result, wall)
    return out


def _on_ray(rows, embedder, local, local_s: float) -> dict:
    """The same curate with the Ray executor on a 2-worker local cluster on 127.0.0.1."""
    import ray

    from curate.options import CurateOptions
    from curate.pipeline import curate

    ray.init(num_cpus=2, _node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False)
    try:
        with tempfile.TemporaryDirectory(prefix="seedling-scale-ray-") as cache:
            t = time.perf_counter()
            result = curate(rows, CurateOptions(cache=cache, executor="ray"), embedder=embedder)
            wall = time.perf_counter() - t
    finally:
        ray.shutdown()
    return {"curate_s": round(wall, 1), "time_vs_one_process": round(wall / local_s, 2),
            "kept_ids_identical": [r.id for r in result.kept] == [r.id for r in local.kept]}


PARTS: dict[str, Callable[[argparse.Namespace], dict]] = {"generate": bench_generate, "curate": bench_curate}


def machine() -> dict:
    import torch

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpu": model, "cpu_capability": torch.backends.cpu.get_cpu_capability(), "cores": os.cpu_count(),
            "load_avg_at_start": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--latency", type=float, default=1.0, help="generate: seconds a fake server takes a request")
    parser.add_argument("--slots", type=int, default=4, help="generate: requests a server serves at once")
    parser.add_argument("--requests", type=int, default=96, help="generate: prompts per measurement")
    parser.add_argument("--repeats", type=int, default=2, help="generate: timings of each setup (median)")
    parser.add_argument("--runner-num", type=int, default=40, help="generate: rows for the runner check (0: skip)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="curate: rows of the built set")
    parser.add_argument("--embedder", default="static", help="curate: embedder")
    parser.add_argument("--ray", action="store_true", help="curate: also on a local 2-worker Ray cluster")
    args = parser.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    line = {"bench": "scale", **machine()}
    for part in parts:
        start = time.perf_counter()
        line[part] = PARTS[part](args)
        line[part]["wall_s"] = round(time.perf_counter() - start, 1)
    print(json.dumps(line))


if __name__ == "__main__":
    main()

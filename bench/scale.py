"""Benchmark seedling past one process's comfort: prints one JSON line.

    python bench/scale.py --part curate                 # 1M built rows, default curate
    python bench/scale.py --part curate --rows 50000    # smaller
    python bench/scale.py --part curate --rows 20000 --ray   # and on a local 2-worker Ray cluster

Curate part: a deterministic set built from shipped data only. Its words are drawn, at their
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

Reported: wall time and peak RSS of the default curate (static embedder, an empty embedding
cache, so embedding is counted), recall of each planted kind and which tier removed them, and
the rows removed that were not planted. Timings are of this machine: say which CPU.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seedling.record import Record  # noqa: E402
from seedling.text import words  # noqa: E402

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
    kinds = {"exact": kinds["exact"], "near": kinds["reworded"], "paraphrase": kinds["paraphrased"]}
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


def curate_part(n: int, embedder_spec: str = "static", seed: int = 0, on_ray: bool = False) -> dict:
    from curate.embedders import load_embedder
    from curate.options import CurateOptions
    from curate.pipeline import curate

    t = time.perf_counter()
    rows, kinds = build(n, seed)
    build_s = time.perf_counter() - t
    embedder = load_embedder(embedder_spec)
    with tempfile.TemporaryDirectory(prefix="seedling-scale-") as cache:
        t = time.perf_counter()
        result = curate(rows, CurateOptions(cache=cache), embedder=embedder)
        wall = time.perf_counter() - t
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
           "timings_s": result.audit["timings_s"]}
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["curate"], action="append", help="parts to run (default: all)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the curate part's built set")
    parser.add_argument("--embedder", default="static")
    parser.add_argument("--ray", action="store_true", help="curate part: also run on a local 2-worker Ray cluster")
    args = parser.parse_args()
    parts = args.part or ["curate"]
    started = time.perf_counter()
    line = {"bench": "scale", "cpu": platform.processor() or platform.machine()}
    if "curate" in parts:
        line["curate"] = curate_part(args.rows, args.embedder, on_ray=args.ray)
    line["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    line["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(line))


if __name__ == "__main__":
    main()

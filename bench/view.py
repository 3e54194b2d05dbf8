"""Benchmark seedling view on a synthetic curate output; prints one JSON line.

    python bench/view.py --rows 1000000

Builds kept.jsonl and removed.jsonl as curate writes them (words drawn from the shipped seed
tasks; ~700 characters a row; 5 % removed by exact, near or semantic with a dup_of; flags,
clusters, sources, quality and pair scores) with what curate leaves for the view beside them
(positions.npy, 256-d float16 vectors.npy, a pair group every 50 rows in groups.jsonl), builds
the view's store, serves it on 127.0.0.1 and opens it in headless Chromium. first_paint_ms:
from navigation to the first page of rows drawn (the page's own performance.now()), each load a
fresh browser. filter_ms: each filter fetched by the page (HTTP and JSON included), and
store_ms the same query in the store alone; filter_ms.open_row: a row's page (its nearest rows found over
every vector, its groups), fetched by the page; medians of --repeats runs."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import Session
from view.build import open_store
from view.query import Store, parse
from view.server import Served, bind, build_app
from view.source import resolve

SOURCES = ["adversarial_qa", "cosmos_qa", "cnn_dailymail", "samsum", "wiki_qa", "quarel", "dbpedia_14", "wiqa"]
FLAGS = ["conflicting_answers", "short_output", "refusal", "no_content"]
TIERS = [("exact", "exact: same normalised prompt and answer"),
         ("near", "near: prompt 3-gram Jaccard 0.81 >= 0.7, same answer"),
         ("semantic", "semantic: instruction, output cosine >= 0.77")]
FILTERS = {"removed": "status=removed", "tier": "tier=semantic", "cluster": "cluster=7",
           "flag": "flag=refusal", "source": "source=samsum", "score_range": "min_quality=0.2&max_quality=0.3",
           "sort_by_score": "sort=quality&desc=1", "search": "q=breakfast",
           "search_two_words": "q=protein%20break", "search_common_word": "q=the",
           "combined": "status=kept&source=wiki_qa&min_quality=0.5&sort=quality&desc=1&q=protein"}


def vocabulary() -> np.ndarray:
    words = []
    for line in (ROOT / "data" / "seed_tasks.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        words += row["instruction"].split() + [w for i in row["instances"] for w in i["output"].split()]
    return np.array(words)


def synthesise(out: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    words = vocabulary()
    out.mkdir(parents=True, exist_ok=True)
    removed = rng.random(n) < 0.05
    with open(out / "kept.jsonl", "w", encoding="utf-8") as kept, \
            open(out / "removed.jsonl", "w", encoding="utf-8") as gone:
        for start in range(0, n, 10_000):
            size = min(10_000, n - start)
            picks = words[rng.integers(0, len(words), size=(size, 110))]
            lengths = rng.integers(40, 110, size=size)
            for k in range(size):
                i = start + k
                text = picks[k, :lengths[k]]
                row = {"id": f"{i:016x}", "instruction": " ".join(text[:lengths[k] * 2 // 3]), "input": "",
                       "output": " ".join(text[lengths[k] * 2 // 3:]), "source": "imported:prompt_completion",
                       "meta": {"source": SOURCES[i % len(SOURCES)]}, "cluster": int(i % 30),
                       "quality": round(float(rng.random()), 4)}
                if i % 17 == 0:
                    row["flags"] = [FLAGS[i % len(FLAGS)]]
                if removed[i]:
                    tier, reason = TIERS[i % 3]
                    row.update(dup_of=f"{max(0, i - 1):016x}", removed_by=tier, reason=reason,
                               score=round(0.7 + 0.3 * float(rng.random()), 4))
                (gone if removed[i] else kept).write(json.dumps(row) + "\n")
    links(out, n, removed, rng)


def links(out: Path, n: int, removed: np.ndarray, rng: np.random.Generator, dim: int = 256) -> None:
    """positions.npy, vectors.npy and groups.jsonl as curate writes them."""
    np.save(out / "positions.npy", np.concatenate([np.flatnonzero(~removed), np.flatnonzero(removed)]))
    vectors = np.lib.format.open_memmap(out / "vectors.npy", mode="w+", dtype=np.float16, shape=(n, dim))
    for start in range(0, n, 65_536):
        block = rng.standard_normal((min(65_536, n - start), dim), dtype=np.float32)
        vectors[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    vectors.flush()
    with open(out / "groups.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps({"kind": ("passage", "variants", "conflict")[i % 3], "rows": [i, i + 1],
                                "about": f"group of row {i}"}) + "\n" for i in range(0, n - 1, 50))


def first_paint(url: str) -> float:
    with Session(timeout=120) as page:
        page.goto(url)
        page.wait("document.body.dataset.ready === '1'", timeout=120)
        return page.eval("window.firstPaintMs")


def page_fetch(url: str, repeats: int, total: int) -> dict[str, float]:
    """Each filter fetched from inside the page, as the table does."""
    with Session(timeout=300) as page:
        page.goto(url)
        page.wait("document.body.dataset.ready === '1'", timeout=120)
        out = {}
        for name, q in FILTERS.items():
            times = [page.eval(f"(async () => {{ const t = performance.now(); const r = await fetch('/api/rows?{q}');"
                               " await r.json(); return performance.now() - t; })()") for _ in range(repeats)]
            out[name] = round(statistics.median(times), 1)
        opened = [page.eval(f"(async () => {{ const t = performance.now(); const r = await fetch('/api/row/{n}');"
                            " await r.json(); return performance.now() - t; })()")
                  for n in (1, total // 4, total - 1) for _ in range(repeats)]
        out["open_row"] = round(statistics.median(opened), 1)
        return out


def store_times(store: Store, repeats: int) -> dict[str, float]:
    out = {}
    for name, q in FILTERS.items():
        params = {k: v.replace("%20", " ") for k, v in (p.split("=") for p in q.split("&"))}
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            store.page(parse(params, store.scores))
            times.append((time.perf_counter() - t) * 1000)
        out[name] = round(statistics.median(times), 1)
    t = time.perf_counter()
    store.facets()
    out["facets"] = round((time.perf_counter() - t) * 1000, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="keep the synthetic data here (default: a temp dir)")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="seedling-bench-view-"))
    os.environ["SEEDLING_CACHE"] = str(work / "cache")
    out = work / "curated"
    t = time.perf_counter()
    if not (out / "kept.jsonl").exists():
        synthesise(out, args.rows)
    made = time.perf_counter() - t
    source = resolve(out)
    t = time.perf_counter()
    store = Store(open_store(source))
    built = time.perf_counter() - t
    served = Served(build_app(source, store), bind("127.0.0.1", 0)).start()
    try:
        paints = [first_paint(served.url) for _ in range(args.repeats)]
        fetched = page_fetch(served.url, args.repeats, args.rows)
    finally:
        served.stop()
    print(json.dumps({"rows": args.rows, "bytes": sum(p.stat().st_size for p in out.glob("*.jsonl")),
                      "synthesise_s": round(made, 1), "store_build_s": round(built, 1),
                      "first_paint_ms": round(statistics.median(paints), 1),
                      "first_paints_ms": [round(p) for p in paints],
                      "filter_ms": fetched, "store_ms": store_times(store, args.repeats),
                      "cpu": os.cpu_count(), "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()

"""Benchmark the default curate on real and built data; prints one JSON line.

    python bench/curate.py                        # real set + planted + 2K and 10K built rows
    python bench/curate.py --sizes 10000,50000    # the issue's sizes (target: 50K in <= 60 s)
    python bench/curate.py --real PATH            # any prompt/completion file with source/template labels
    python bench/curate.py --parts real,semhash   # some parts only (real, real_like, planted, prompts, semhash, sizes)
    python bench/curate.py --parts real_like --real-like 200000   # how each step grows toward 1M rows

Real data (`real`): by default the T0 dev set in ../shared/data/t0-dev (prompt/completion rows
with the source dataset and the P3 template of each row; passages inside the prompt, one-word
answers, one example under several templates). Reported: rows removed and by which tier, the
removed rows whose prompt AND answer both differ from the row kept instead (goal <= 1 % of
rows), removed rows whose kept twin has the same template but another prompt (another example),
exact full-row duplicates left in the kept rows (goal 0), template-variant pairs and the share
of them whose templates differ (a variant is the same example under ANOTHER template),
conflict groups against the prompts the file gives several answers, and wall time.

Planted (`planted`): the 175 Self-Instruct seed tasks with exact, reworded, near (one
instruction word dropped and two neighbours swapped, same long answer) and paraphrased copies
(tests/data/curate/planted.py); recall per kind and precision.

Prompt-only (`prompts`): the Quora question pairs (QQP) inside the T0 dev set, each question a
row with no answer, as a pool of user queries to dedup. No paraphrase set ships inside an
installed package (sentence-transformers, model2vec and nltk ship none; nltk's corpora are a
download), so these real labelled pairs are used. Reported: paraphrase pairs, recall (one
row removed as the other's duplicate), precision (removals whose kept row is the labelled
partner, among removals in labelled pairs), and pairs with both rows removed (goal 0); the
model that scored the prompts and how many rows it encoded; the same figures for the static
model alone (`static_alone`), and the dedup time of a pool of 4,000 short prompts (sentences of
the T0 dev set's passages, no answers) with and without the prompt model, alternating, medians
of three, and the rows each removes.

Real-like (`real_like`, `--real-like N`, default 38,937): the real set grown to N rows with
copies of it whose rare words (in under 1 % of rows) are swapped, 30 % of them, one mapping a
copy (`curate_sets.real_like`): the real set's structure at the hidden set's size. The same
figures as `real`, with the whole default curate's time per step and per dedup tier (with the
pairs each tier judged, where it says), so a step that grows faster than the rows shows.

Against semhash (`versus_semhash`): the dedup-only path (exact, near and semantic tiers,
embedding three fields into an empty cache) and semhash's `self_deduplicate` (its default 0.9,
same three columns, the same static model) on the same real rows, three times each,
alternating, so both meet the same load: the medians' rows/s, every run's seconds and the
1-minute load average before it, and the removals whose prompt AND answer both differ from the
row kept instead. semhash is not a
dependency of the project: install it beside the bench only (`pip install --target DIR
--no-deps semhash vicinity frozendict pyversity orjson`, then PYTHONPATH=DIR); without it this
part says so and is skipped.

Rows: real docstrings from the Python standard library and installed packages (no network),
cut into ~650-character passages as inputs and ~350-character answers, under 40 instruction
templates. A fifth of the passages carry three different questions with different answers
(shared-context groups: distinct rows that must all stay), and 5 % of rows are exact copies
with case, spacing and punctuation changed (all must go). The embedding cache starts empty,
so embedding time is counted; distilling the static model (once per machine) is not.

Reported per size: rows/s of embedding (3 fields a row), of each dedup tier (semantic without
the embedding) and of the whole curate, the same for an
all-pairs baseline (each tier's exact all-pairs comparison timed on a sample and scaled by
n^2), the ratio, and checks: exact copies removed, shared-context rows removed (must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curate.embedders import load_embedder  # noqa: E402
from curate.options import CurateOptions  # noqa: E402
from curate.pipeline import curate  # noqa: E402
from seedling.formats import load  # noqa: E402
from seedling.text import jaccard, normalize, shingles, strip_markers  # noqa: E402
from tests.data.curate.planted import planted  # noqa: E402
from bench.curate_dedup import prompt_only, same_text, versus_semhash  # noqa: E402
from bench.curate_sets import build, corpus, real_like  # noqa: E402
from seedling.record import Record  # noqa: E402

PARTS = ("real", "real_like", "planted", "prompts", "semhash", "sizes")
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "t0-dev" / "t0_dev.jsonl.gz"


def all_pairs_seconds(rows: list[Record], vectors: np.ndarray, n: int, sample: int = 1500) -> dict[str, float]:
    """Exact all-pairs comparison of each tier, timed on `sample` rows, scaled by (n / sample)^2."""
    m = min(sample, len(rows))
    scale = (n / m) ** 2
    t = time.perf_counter()
    keys = [normalize(r.prompt) for r in rows[:m]]
    sum(keys[i] == keys[j] for i in range(m) for j in range(i + 1, min(m, i + 1 + m // 10)))
    exact_s = (time.perf_counter() - t) * 10 * scale
    sets = [shingles(r.instruction) | shingles(r.output) for r in rows[:m // 4]]
    t = time.perf_counter()
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            jaccard(sets[i], sets[j])
    near_s = (time.perf_counter() - t) * (n / len(sets)) ** 2
    x = vectors[:m]
    t = time.perf_counter()
    sims = x @ x.T
    np.argsort(-sims, axis=1)[:, :10]
    semantic_s = (time.perf_counter() - t) * scale
    return {"exact": exact_s, "near": near_s, "semantic": semantic_s}


def bench(n: int, docs: list[str], embedder) -> dict:
    rows, shared, copies = build(n, docs)
    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        result = curate(rows, CurateOptions(cache=cache), embedder=embedder)
        total = time.perf_counter() - t
    removed = result.dedup.removed_indices()
    tiers = {t.name: t for t in result.audit.dedup.tiers}
    baseline = all_pairs_seconds(rows, embedder_vectors(rows, embedder), n)
    out = {"rows": len(rows), "mean_row_chars": round(sum(len(r.instruction) + len(r.input) + len(r.output)
                                                           for r in rows) / len(rows)),
           "curate_s": round(total, 2), "curate_rows_per_s": round(len(rows) / total, 1)}
    embed_s = result.audit.timings_s["embed"]
    for name, tier in tiers.items():
        secs = max(tier.seconds - (embed_s if name == "semantic" else 0), 1e-6)
        out[f"{name}_rows_per_s"] = round(tier.checked / secs, 1)
        out[f"{name}_all_pairs_rows_per_s"] = round(n / baseline[name], 1)
        out[f"{name}_speedup_vs_all_pairs"] = round(baseline[name] / secs, 1)
        out[f"{name}_removed"] = tier.removed
    out["embed_rows_per_s"] = round(len(rows) / max(embed_s, 1e-6), 1)
    out["exact_copies_planted"] = len(copies)
    out["exact_copies_removed"] = len(copies & removed)
    out["shared_context_rows"] = len(shared)
    out["shared_context_rows_removed"] = len(shared & removed)
    out["timings_s"] = result.audit.timings_s
    out["other_removed_examples"] = [result.rows[i].extra["reason"] + " :: " + rows[i].instruction[:60]
                                     for i in sorted(removed - copies)[:3]]
    return out


def real(rows: list[Record], name: str, embedder) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        result = curate(rows, CurateOptions(cache=cache), embedder=embedder)
        total = time.perf_counter() - t
    by_id = {r.id: r for r in result.rows}
    differ = other_example = 0
    for r in result.removed:
        twin = by_id.get(r.extra.get("dup_of"))
        if twin is None:
            continue
        prompt_differs = not same_text(r.prompt, twin.prompt)
        differ += prompt_differs and not same_text(r.output, twin.output)
        other_example += prompt_differs and r.meta.get("template") == twin.meta.get("template")
    copies: dict[tuple[str, str], int] = {}
    answers: dict[str, set[str]] = {}
    for r in result.kept:
        key = (normalize(strip_markers(r.prompt)), normalize(strip_markers(r.output)))
        copies[key] = copies.get(key, 0) + 1
    for r in rows:
        answers.setdefault(normalize(strip_markers(r.prompt)), set()).add(normalize(strip_markers(r.output)))
    dedup = result.audit.dedup
    variants = result.dedup.variants
    return {"path": name, "rows": len(rows), "curate_s": round(total, 2),
            "removed": len(result.removed), "removed_share": round(len(result.removed) / len(rows), 4),
            "removed_by_tier": {t.name: t.removed for t in dedup.tiers},
            "removed_prompt_and_answer_differ": differ, "removed_prompt_and_answer_differ_share": round(differ / len(rows), 4),
            "removed_other_example_same_template": other_example,
            "exact_full_row_duplicates_kept": sum(c - 1 for c in copies.values()),
            "template_variant_pairs": len(variants), "template_variant_groups": dedup.template_variants["groups"],
            "template_variant_rows": dedup.template_variants["rows"],
            "template_variant_pairs_across_templates": round(sum(rows[i].meta.get("template") != rows[j].meta.get("template")
                                                                 for i, j, _ in variants) / max(len(variants), 1), 4),
            "conflict_groups": dedup.conflicts["groups"],
            "prompts_with_several_answers": sum(len(a) > 1 for a in answers.values()),
            "shared_passage_groups": dedup.shared_context["groups"], "shared_passage_rows": dedup.shared_context["rows"],
            "timings_s": result.audit.timings_s,
            "tiers": {t.name: {"seconds": t.seconds, "checked": t.checked,
                               **{k: v for k, v in t.details.items() if "pairs" in k and isinstance(v, int)}}
                      for t in dedup.tiers}}


def planted_recall(embedder) -> dict:
    rows, kinds = planted()
    with tempfile.TemporaryDirectory() as cache:
        result = curate(rows, CurateOptions(cache=cache), embedder=embedder)
    removed = result.dedup.removed_indices()
    planted_rows = {i for idx in kinds.values() for i in idx}
    return {"rows": len(rows), **{f"recall_{k}": round(len(set(v) & removed) / len(v), 3) for k, v in kinds.items()},
            "precision": round(len(removed & planted_rows) / max(len(removed), 1), 3)}


def embedder_vectors(rows, embedder, m: int = 1500) -> np.ndarray:
    from seedling.embedders import unit_rows

    return unit_rows(embedder.encode([r.instruction + "\n" + r.input + "\n" + r.output for r in rows[:m]]))


def _cpu() -> str:
    """The processor's model name and the torch capability the core decides dtypes by."""
    import torch

    name = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")), "unknown")
    return f"{name}, {torch.backends.cpu.get_cpu_capability()}, {len(os.sched_getaffinity(0))} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000", help="comma-separated row counts")
    parser.add_argument("--embedder", default="static")
    parser.add_argument("--real", type=Path, default=REAL, help="prompt/completion rows with source and template labels")
    parser.add_argument("--real-like", type=int, default=38937,
                        help="rows of the real set grown with copies whose rare words are swapped (0: none)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated parts to run, of {','.join(PARTS)}")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if parts - set(PARTS):
        parser.error(f"unknown parts {sorted(parts - set(PARTS))}; choose from {','.join(PARTS)}")
    sizes = [int(s) for s in args.sizes.split(",")] if "sizes" in parts else []
    started = time.perf_counter()
    t = time.perf_counter()
    embedder = load_embedder(args.embedder)
    load_s = time.perf_counter() - t
    docs = corpus(max(sizes) * 1100) if sizes else []
    missing = {"skipped": f"{args.real} not found"}
    not_asked = {"skipped": "not in --parts"}

    def part(name: str, run):
        return not_asked if name not in parts else run() if args.real.exists() or name == "planted" else missing

    real_run = part("real", lambda: real(load(args.real).records, args.real.name, embedder))
    real_like_run = part("real_like", lambda: real(real_like(args.real, args.real_like),
                                                   f"{args.real.name} grown to {args.real_like}", embedder)
                         if args.real_like else {"skipped": "--real-like 0"})
    planted_run = part("planted", lambda: planted_recall(embedder))
    prompts_run = part("prompts", lambda: prompt_only(args.real, embedder))
    semhash_run = part("semhash", lambda: versus_semhash(args.real, embedder))
    runs = [bench(n, docs, embedder) for n in sizes]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bench": "curate", "embedder": getattr(embedder, "model_id", args.embedder),
                      "embedder_load_s": round(load_s, 2), "real": real_run, "real_like": real_like_run,
                      "planted": planted_run,
                      "prompts": prompts_run, "versus_semhash": semhash_run, "cpu": _cpu(), "runs": runs,
                      "peak_rss_mb": round(peak_mb), "wall_s": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()

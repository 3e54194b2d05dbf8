"""Benchmark the default curate on real and built data; prints one JSON line.

    python bench/curate.py                        # real set + planted + 2K and 10K built rows
    python bench/curate.py --sizes 10000,50000    # the issue's sizes (target: 50K in <= 60 s)
    python bench/curate.py --real PATH            # any prompt/completion file with source/template labels

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
partner, among removals in labelled pairs), and pairs with both rows removed (goal 0).

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
import random
import re
import resource
import sys
import sysconfig
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
from seedling.record import Record  # noqa: E402

DOCSTRING = re.compile(r'"""(.{300,4000}?)"""', re.DOTALL)
TEMPLATES = [
    "Summarize what the passage says about {t}.", "Explain how {t} is used in the text below.",
    "What does the passage tell us about {t}?", "Write a short answer: why does the text mention {t}?",
    "List the key facts about {t} in this passage.", "Describe the role of {t} according to the text.",
    "Rewrite the part about {t} in plain English.", "Give an example related to {t} based on the passage.",
    "Identify the main claim about {t}.", "Answer the question about {t} using the passage.",
]
BASES = len(TEMPLATES)
TEMPLATES += [t.replace("the passage", "this documentation").replace("the text", "this excerpt") for t in TEMPLATES]
TEMPLATES += [f"{t} Be concise." for t in TEMPLATES]
WORD = re.compile(r"\b[a-z_][a-z_]{5,}\b")
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "t0-dev" / "t0_dev.jsonl.gz"


def corpus(chars_needed: int) -> list[str]:
    """Distinct docstring passages of real English, from the stdlib first, then site-packages."""
    roots = [Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]
    seen, out, total = set(), [], 0
    for root in roots:
        for f in sorted(root.rglob("*.py")):
            try:
                text = f.read_text(encoding="utf-8", errors="ignore")
            except OSError:
                continue
            for m in DOCSTRING.finditer(text):
                doc = " ".join(m.group(1).split())
                if len(doc) >= 300 and doc not in seen and sum(c.isalpha() for c in doc) > 0.7 * len(doc):
                    seen.add(doc)
                    out.append(doc)
                    total += len(doc)
            if total >= chars_needed:
                return out
    return out


def build(n: int, docs: list[str], seed: int = 0) -> tuple[list[Record], set[int], set[int]]:
    rng = random.Random(seed)
    pieces = list(dict.fromkeys(d[i:i + 650] for d in docs for i in range(0, len(d) - 300, 650)))
    rng.shuffle(pieces)  # libraries repeat docstring paragraphs: each piece of text appears once
    rows, shared, pos = [], set(), 0
    distinct = int(n * 0.95)
    while len(rows) < distinct and pos + 4 < len(pieces):
        passage = pieces[pos]
        words = WORD.findall(passage.lower()) or ["this"]
        group = 3 if rng.random() < 0.2 else 1
        # questions over one passage differ in topic AND base template (a "this documentation"
        # variant of the same question on the same topic would be the same task asked again)
        topics = rng.sample(sorted(set(words)), min(group, len(set(words))))
        bases = rng.sample(range(BASES), len(topics))
        asks = [TEMPLATES[b + BASES * rng.randrange(len(TEMPLATES) // BASES)].format(t=t) for b, t in zip(bases, topics)]
        for g, ask in enumerate(asks[:distinct - len(rows)]):
            rows.append(Record(ask, pieces[pos + 1 + g][:350], input=passage, source="generated"))
            if group > 1:
                shared.add(len(rows) - 1)
        pos += 1 + group
    copies = set()
    for i in rng.sample(range(len(rows)), n - len(rows)):
        r = rows[i]
        rows.append(Record(r.instruction.upper() + " ", r.output, input=r.input.replace(" ", "  "), source="generated"))
        copies.add(len(rows) - 1)
    return rows, shared, copies


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


def _same(a: str, b: str) -> bool:
    return normalize(strip_markers(a)) == normalize(strip_markers(b))


def real(path: Path, embedder) -> dict:
    rows = load(path).records
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
        prompt_differs = not _same(r.prompt, twin.prompt)
        differ += prompt_differs and not _same(r.output, twin.output)
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
    return {"path": path.name, "rows": len(rows), "curate_s": round(total, 2),
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
            "timings_s": result.audit.timings_s}


QQP = re.compile(r"Question 1: (.*)\nQuestion 2: (.*)\n\nDo these two questions convey the same meaning")


def qqp_pairs(path: Path) -> list[tuple[str, str, bool]]:
    """(question, question, paraphrase?) from the T0 dev set's QQP rows, each pair once."""
    pairs = {}
    for r in load(path).records:
        if r.meta.get("template") == "glue_qqp_meaning" and (m := QQP.search(r.prompt)):
            pairs[(m.group(1).strip(), m.group(2).strip())] = normalize(strip_markers(r.output)) == "yes"
    return [(a, b, same) for (a, b), same in pairs.items() if normalize(a) != normalize(b)]


def prompt_only(path: Path, embedder) -> dict:
    pairs = qqp_pairs(path)
    questions = list(dict.fromkeys(q for a, b, _ in pairs for q in (a, b)))
    rows = [Record(q, "", source="imported:qqp") for q in questions]
    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        result = curate(rows, CurateOptions(cache=cache, tiers=["exact", "near", "semantic"]), embedder=embedder)
        total = time.perf_counter() - t
    at = {q: i for i, q in enumerate(questions)}
    dup_of = {r.index: r.dup_of for r in result.dedup.removals}
    labelled = {frozenset((at[a], at[b])): same for a, b, same in pairs}
    linked = [frozenset((i, k)) for i, k in dup_of.items() if k is not None]
    judged = [p for p in linked if p in labelled]
    found = {p for p in judged if labelled[p]}
    semantic_tier = result.dedup.tier("semantic")
    return {"questions": len(rows), "pairs": len(pairs), "paraphrase_pairs": sum(s for *_, s in pairs),
            "removed": len(dup_of), "removals_in_labelled_pairs": len(judged),
            "precision": round(len(found) / max(len(judged), 1), 3),
            "recall": round(len(found) / max(sum(s for *_, s in pairs), 1), 3),
            "both_of_a_pair_removed": sum(at[a] in dup_of and at[b] in dup_of for a, b, _ in pairs),
            "compared": semantic_tier.details.get("compared") if semantic_tier else None,
            "threshold": semantic_tier.details.get("threshold") if semantic_tier else None,
            "data_floors": semantic_tier.details.get("data_floors") if semantic_tier else None,
            "removed_by_tier": {t.name: len(t.removals) for t in result.dedup.tiers},
            "curate_s": round(total, 2)}


def _dedup_only(rows: list[Record], embedder) -> tuple[float, dict[int, int]]:
    from curate.dedup import DedupContext, deduplicate, keep_priority
    from curate.embed_cache import CachedEncoder
    from curate.vectors import FieldVectors

    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        options = CurateOptions(cache=cache)
        ctx = DedupContext(rows, options, keep_priority(rows, [0.5] * len(rows)),
                           FieldVectors(rows, CachedEncoder(embedder, Path(cache))), embedder)
        result = deduplicate(ctx, options.tiers, list(range(len(rows))))
        return time.perf_counter() - t, {r.index: r.dup_of for r in result.removals}


def _semhash(rows: list[Record], embedder) -> tuple[float, dict[int, int]]:
    from semhash import SemHash

    records = [{"row": str(k), "instruction": r.instruction, "input": r.input, "output": r.output}
               for k, r in enumerate(rows)]
    t = time.perf_counter()
    found = SemHash.from_records(records=records, columns=["instruction", "input", "output"],
                                 model=embedder.model).self_deduplicate()
    return time.perf_counter() - t, {int(d.record["row"]): int(d.duplicate_of["row"])
                                     for d in found.filtered if d.duplicate_of}


def versus_semhash(path: Path, embedder, repeats: int = 3) -> dict:
    """Each side `repeats` times, alternating in this process (so both meet the same load), and
    the medians; the machine's 1-minute load average before each run is reported with it."""
    try:
        import semhash  # noqa: F401
    except ImportError:
        return {"skipped": "semhash is not installed beside the bench (see the docstring)"}
    rows = load(path).records
    ours_s, theirs_s, load_1m = [], [], []
    for _ in range(repeats):
        load_1m.append(round(os.getloadavg()[0], 1))
        seconds, ours = _dedup_only(rows, embedder)
        ours_s.append(seconds)
        load_1m.append(round(os.getloadavg()[0], 1))
        seconds, theirs = _semhash(rows, embedder)
        theirs_s.append(seconds)

    def differ(removed: dict[int, int]) -> int:
        return sum(not _same(rows[i].prompt, rows[k].prompt) and not _same(rows[i].output, rows[k].output)
                   for i, k in removed.items() if k is not None)

    ours_median, theirs_median = float(np.median(ours_s)), float(np.median(theirs_s))
    return {"rows": len(rows), "repeats": repeats, "seedling_dedup_s": [round(x, 2) for x in ours_s],
            "semhash_s": [round(x, 2) for x in theirs_s], "load_1m_before_each_run": load_1m,
            "seedling_rows_per_s": round(len(rows) / ours_median), "semhash_rows_per_s": round(len(rows) / theirs_median),
            "speed_ratio": round(theirs_median / ours_median, 3),
            "speed_ratio_per_repeat": [round(b / a, 3) for a, b in zip(ours_s, theirs_s)],
            "seedling_removed": len(ours), "seedling_removed_prompt_and_answer_differ": differ(ours),
            "semhash_removed": len(theirs), "semhash_removed_prompt_and_answer_differ": differ(theirs)}


def planted_recall(embedder) -> dict:
    rows, kinds = planted()
    with tempfile.TemporaryDirectory() as cache:
        result = curate(rows, CurateOptions(cache=cache), embedder=embedder)
    removed = result.dedup.removed_indices()
    planted_rows = {i for idx in kinds.values() for i in idx}
    return {"rows": len(rows), **{f"recall_{k}": round(len(set(v) & removed) / len(v), 3) for k, v in kinds.items()},
            "precision": round(len(removed & planted_rows) / max(len(removed), 1), 3)}


def embedder_vectors(rows, embedder, m: int = 1500) -> np.ndarray:
    from curate.embedders import unit_rows

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
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    t = time.perf_counter()
    embedder = load_embedder(args.embedder)
    load_s = time.perf_counter() - t
    docs = corpus(max(sizes) * 1100)
    real_run = real(args.real, embedder) if args.real.exists() else {"skipped": f"{args.real} not found"}
    planted_run = planted_recall(embedder)
    missing = {"skipped": f"{args.real} not found"}
    prompts_run = prompt_only(args.real, embedder) if args.real.exists() else missing
    semhash_run = versus_semhash(args.real, embedder) if args.real.exists() else missing
    runs = [bench(n, docs, embedder) for n in sizes]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bench": "curate", "embedder": getattr(embedder, "model_id", args.embedder),
                      "embedder_load_s": round(load_s, 2), "real": real_run, "planted": planted_run,
                      "prompts": prompts_run, "versus_semhash": semhash_run, "cpu": _cpu(), "runs": runs,
                      "peak_rss_mb": round(peak_mb), "wall_s": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()

"""Benchmark the bias audit; prints one JSON line.

    python bench/bias.py                 # everything (a few minutes on 2 shared cores)
    python bench/bias.py --rows 10000    # a smaller timing set
    python bench/bias.py --only real     # the real data alone (T0 dev, ~1 min)

Real data: T0 dev (`--t0`, 16K rows of P3 prompts over 10 public datasets; one passage asked
several questions, one example under several templates). The audit runs twice: counting rows
(what the audit did before it knew the shared-passage and template groups) and counting
independent examples (units from dedup's exact and near tiers and its shared-context groups).
For each: the axes' verdicts, the largest gaps, the associations and the share of them that
are noise (a stopword of scikit-learn's list, a number, a single letter, or the group's own
name or terms), and the sentiment figures with their narrowest interval.

Planted skew (the audit's statistics on data we built): datasets built from shipped data
(seed-task instructions that name no person, the names of data/names, the occupations of
seedling/people.py), 8 occupations x 50 (and x 200) rows, each row about one person with a
first name and pronouns. One occupation (engineer) is male in 60/75/90 % of its
rows, the others 50 %. Detection rate: share of resamples where the audit finds engineer leaning
male. False alarms: over 200 balanced resamples (every occupation 50 %), the share of datasets
with any gender finding (axis share, pronouns, any occupation), and of the engineer test alone.
The share and pronoun questions need a target: the balanced audits run once with none (the
default: only the occupation comparison can fire) and once with female/male 50/50 given.

Counterfactual: `augment` on the seed tasks (data/seed_tasks.jsonl): rows swapped, skipped by
rule, and the female share of pronoun-leaning rows before and after.

Timing: the bias audit alone (representation, associations, sentiment; no embedding) on 50K
rows of ~1 KB made from the seed tasks' text with people mentioned.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curate.bias.audit import audit, counterfactual_effect, skip_words  # noqa: E402
from curate.bias.context_words import tokens  # noqa: E402
from curate.bias.counterfactual import augment  # noqa: E402
from curate.bias.gender_swap import swap  # noqa: E402
from curate.bias.lexicon import load as load_lexicon  # noqa: E402
from curate.bias.units import from_dedup  # noqa: E402
from curate.dedup import DedupContext, deduplicate  # noqa: E402
from curate.dedup.shared_context import shared_context_groups  # noqa: E402
from curate.options import CurateOptions  # noqa: E402
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # noqa: E402
from seedling.formats import load  # noqa: E402
from seedling.people import OCCUPATIONS, about_people  # noqa: E402
from seedling.record import Record  # noqa: E402
from seedling.resources import data_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PLANTED = "engineer"
OTHERS = ["nurse", "teacher", "lawyer", "farmer", "chef", "pilot", "librarian"]
SIZES = (50, 200)  # rows per occupation: 400 and 1,600 rows a dataset
EVEN = {"gender": {"female": 0.5, "male": 0.5}}
T0 = Path("/work/shared/data/t0-dev/t0_dev.jsonl.gz")


def _names() -> tuple[list[str], list[str]]:
    pairs = json.loads(data_path("names", "first_names.json").read_text())["pairs_female_male"]
    return [f for f, _ in pairs], [m for _, m in pairs]


def planted(rng: random.Random, male_rate: float, seeds: list[str], per_occupation: int) -> list[Record]:
    female, male = _names()
    rows = []
    for occupation in [PLANTED, *OTHERS]:
        rate = male_rate if occupation == PLANTED else 0.5
        for _ in range(per_occupation):
            is_male = rng.random() < rate
            name = rng.choice(male if is_male else female)
            he, his = ("he", "his") if is_male else ("she", "her")
            task = rng.choice(seeds)
            rows.append(Record(f"{task} Answer for {name}, a {occupation}.",
                               f"{name} is a {occupation}; {he} asked about this for {his} work. {task[:80]}"))
    rng.shuffle(rows)
    return rows


def gender_findings(bias: dict) -> dict[str, bool]:
    return {"axis": bool(bias["axes"]["gender"]["skew"]["under_represented"]),
            "pronouns": bias["pronouns"]["under_represented"] is not None,
            "occupation": any(o["finding"] for o in bias["occupations"].values()),
            "planted": bias["occupations"].get(PLANTED, {}).get("finding") is not None}


def detection(seeds: list[str], trials: int, balanced_trials: int, per: int) -> dict:
    out = {"rows_per_dataset": per * (1 + len(OTHERS)), "rows_per_occupation": per}
    for rate in (0.6, 0.75, 0.9):
        hits = sum(audit(planted(random.Random(f"{rate}:{t}"), rate, seeds, per))["occupations"][PLANTED]["finding"]
                   == "leans male" for t in range(trials))
        out[f"detect_{int(rate * 100)}"] = round(hits / trials, 3)
    balanced = [planted(random.Random(f"bal:{t}"), 0.5, seeds, per) for t in range(balanced_trials)]
    for name, targets in (("no_target", None), ("even_target_given", EVEN)):
        alarms = [gender_findings(audit(rows, targets)) for rows in balanced]
        out[f"false_alarm_{name}"] = {
            "any_gender_finding": round(sum(any(a.values()) for a in alarms) / balanced_trials, 3),
            "planted_test": round(sum(a["planted"] for a in alarms) / balanced_trials, 3),
            "by_kind": {k: round(sum(a[k] for a in alarms) / balanced_trials, 3) for k in alarms[0]}}
    return out


def noise(bias: dict) -> dict:
    """Associations that describe no one: stopwords, numbers, single letters, the group's own name or terms."""
    lex = load_lexicon()
    own = skip_words(lex)
    listed, bad = 0, []
    for axis, a in bias["associations"].items():
        for g, fig in a["groups"].items():
            name = set(tokens(g.replace("_", " ")))
            for w in fig["words"]:
                word = w["word"]
                listed += 1
                if (word in ENGLISH_STOP_WORDS or len(word) < 2 or word.replace("-", "").isdigit()
                        or word in name or word in own.get(axis, ())):
                    bad.append(f"{axis}/{g}: {word}")
    return {"associations": listed, "noise": len(bad), "noise_share": round(len(bad) / listed, 3) if listed else None,
            "noise_words": bad[:12]}


def said(bias: dict) -> dict:
    """What a reader of the audit is told, in brief."""
    axes = {axis: {"verdict": f["verdict"], "examples": f["rows_with_mention"],
                   "top": [[g, e["rows"]] for g, e in list(f["groups"].items())[:3] if e["rows"]],
                   "findings": [f"{g} {e['finding']}" for g, e in f["groups"].items() if e.get("finding")],
                   "gaps": [f"{g['more']} {g['examples_more']} vs {g['fewer']} {g['examples_fewer']}"
                            for g in f.get("gaps", [])[:2]]}
            for axis, f in bias["axes"].items()}
    assoc = {f"{axis}/{g}": [f"{w['word']} ({w['rows_in_group']})" for w in fig["words"][:5]]
             for axis, a in bias["associations"].items() for g, fig in a["groups"].items() if fig["words"]}
    figures = [(f"{axis}/{g}", e) for axis, gs in bias["sentiment"]["axes"].items() for g, e in gs.items()]
    measured = [(k, e) for k, e in figures if e["mean"] is not None]
    return {"axes": axes, "associations": assoc, "association_noise": noise(bias),
            "sentiment": {"groups_with_a_figure": len(measured), "groups_too_few_to_tell": len(figures) - len(measured),
                          "narrowest_interval": min((round(e["ci95"][1] - e["ci95"][0], 4) for _, e in measured),
                                                    default=None),
                          "findings": [f"{k} {e['finding']} ({e['rows']} examples)"
                                       for k, e in measured if e["finding"]]},
            "pronouns": bias["pronouns"]["verdict"]}


def real(path: Path) -> dict:
    """T0 dev audited counting rows, then counting independent examples."""
    records = load(path).records
    t = time.perf_counter()
    ctx = DedupContext(records, CurateOptions(tiers=["exact", "near"]), list(range(len(records))), None)
    dedup = deduplicate(ctx, ["exact", "near"], list(range(len(records))))
    groups = shared_context_groups(ctx.anatomy, list(range(len(records))))
    units = from_dedup(len(records), groups, dedup.variants, dedup.removals)
    units_s = time.perf_counter() - t
    t = time.perf_counter()
    by_rows = audit(records)
    rows_s = time.perf_counter() - t
    t = time.perf_counter()
    by_units = audit(records, units=units)
    return {"data": str(path), "rows": len(records), "evidence": by_units["evidence"],
            "seconds": {"units_from_dedup": round(units_s, 1), "audit_rows": round(rows_s, 1),
                        "audit_independent": round(time.perf_counter() - t, 1)},
            "counting_rows": said(by_rows), "counting_independent_examples": said(by_units)}


def counterfactual_figures(records: list[Record]) -> dict:
    copies, figures = augment(records)
    effect = counterfactual_effect(records, copies)
    share = {w: effect[w]["pronouns"]["female_row_share"] for w in ("before", "after")}
    ci = {w: effect[w]["pronouns"]["female_row_share_ci95"] for w in ("before", "after")}
    return {"rows": len(records), "mentioning_gender": figures["rows_mentioning"],
            "swapped_share": round(figures["swapped"] / len(records), 3),
            "skipped_by_rule": figures["skipped_by_rule"], "skipped_rules": figures["skipped_rules"],
            "already_present": figures["already_present"],
            "female_pronoun_row_share_before": share["before"], "female_pronoun_row_share_before_ci95": ci["before"],
            "female_pronoun_row_share_after": share["after"], "female_pronoun_row_share_after_ci95": ci["after"]}


def big(records: list[Record], n: int) -> list[Record]:
    """~1 KB rows: seed texts joined, a person named in about a third of them."""
    rng = random.Random(0)
    female, male = _names()
    texts = [f"{r.instruction} {r.input} {r.output}" for r in records]
    rows = []
    for i in range(n):
        body = ""
        while len(body) < 900:
            body += rng.choice(texts) + " "
        if i % 3 == 0:
            who = rng.choice(female + male)
            he = "she" if who in female else "he"
            body = f"{who} is a {rng.choice(OCCUPATIONS)} and {he} wrote this. " + body
        rows.append(Record(f"Task {i}: {body[:200]}", body[200:1000]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--balanced", type=int, default=200)
    parser.add_argument("--t0", type=Path, default=T0, help="T0 dev rows (jsonl.gz); skipped when absent")
    parser.add_argument("--only", choices=["real", "planted"])
    args = parser.parse_args()
    seeds = load(ROOT / "data" / "seed_tasks.jsonl").records
    started = time.perf_counter()
    result = {"bench": "bias"}
    if args.only != "planted":
        result["real_t0_dev"] = real(args.t0) if args.t0.exists() else {"skipped": f"{args.t0} not found"}
    if args.only == "real":
        print(json.dumps(result))
        return
    # Seed instructions that name no gender and no occupation: the planted rows carry the only signal.
    instructions = [r.instruction for r in seeds if not swap(r.instruction)[1] and not about_people(r.instruction)]
    result["planted"] = {"trials_per_rate": args.trials, "balanced_resamples": args.balanced,
                         "sizes": [detection(instructions, args.trials, args.balanced, per) for per in SIZES]}
    result["counterfactual_seed_tasks"] = counterfactual_figures(seeds)
    rows = big(seeds, args.rows)
    t = time.perf_counter()
    audit(rows)
    chars = round(sum(len(r.prompt) + len(r.output) for r in rows) / len(rows))
    result["audit"] = {"rows": len(rows), "mean_row_chars": chars, "seconds": round(time.perf_counter() - t, 2),
                       "goal_s": 30, "cpus": os.cpu_count(), "machine": "shared with other engineers' jobs"}
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

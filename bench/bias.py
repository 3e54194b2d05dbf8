"""Benchmark the bias audit; prints one JSON line.

    python bench/bias.py                 # everything (a few minutes on 2 shared cores)
    python bench/bias.py --rows 10000    # a smaller timing set

Planted skew: datasets built from shipped data (seed-task instructions that name no person, the names of
data/names, the occupations of seedling/people.py), 8 occupations x 50 (and x 200) rows, each
row about one person with a first name and pronouns. One occupation (engineer) is male in 60/75/90 % of its
rows, the others 50 %. Detection rate: share of resamples where the audit finds engineer leaning
male. False alarms: over 200 balanced resamples (every occupation 50 %), the share of datasets
with any gender finding (axis share, pronouns, any occupation), and of the engineer test alone.

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

from curate.bias.audit import audit, counterfactual_effect  # noqa: E402
from curate.bias.counterfactual import augment  # noqa: E402
from curate.bias.gender_swap import swap  # noqa: E402
from seedling.formats import load  # noqa: E402
from seedling.people import OCCUPATIONS, about_people  # noqa: E402
from seedling.record import Record  # noqa: E402
from seedling.resources import data_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PLANTED = "engineer"
OTHERS = ["nurse", "teacher", "lawyer", "farmer", "chef", "pilot", "librarian"]
SIZES = (50, 200)  # rows per occupation: 400 and 1,600 rows a dataset


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
    alarms = [gender_findings(audit(planted(random.Random(f"bal:{t}"), 0.5, seeds, per))) for t in range(balanced_trials)]
    out["false_alarm_any_gender_finding"] = round(sum(any(a.values()) for a in alarms) / balanced_trials, 3)
    out["false_alarm_planted_test"] = round(sum(a["planted"] for a in alarms) / balanced_trials, 3)
    out["false_alarm_by_kind"] = {k: round(sum(a[k] for a in alarms) / balanced_trials, 3) for k in alarms[0]}
    return out


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
    args = parser.parse_args()
    seeds = load(ROOT / "data" / "seed_tasks.jsonl").records
    started = time.perf_counter()
    # Seed instructions that name no gender and no occupation: the planted rows carry the only signal.
    instructions = [r.instruction for r in seeds if not swap(r.instruction)[1] and not about_people(r.instruction)]
    result = {"bench": "bias", "planted": {"trials_per_rate": args.trials, "balanced_resamples": args.balanced,
                                           "sizes": [detection(instructions, args.trials, args.balanced, per)
                                                     for per in SIZES]}}
    result["counterfactual_seed_tasks"] = counterfactual_figures(seeds)
    rows = big(seeds, args.rows)
    t = time.perf_counter()
    audit(rows)
    result["audit"] = {"rows": len(rows), "mean_row_chars": round(sum(len(r.prompt) + len(r.output) for r in rows) / len(rows)),
                       "seconds": round(time.perf_counter() - t, 2), "goal_s": 30, "cpus": os.cpu_count(),
                       "machine": "shared with other engineers' jobs"}
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

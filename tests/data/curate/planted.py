"""A dataset with duplicates planted at known rows: the 175 seed tasks (distinct, including
tasks that share an instruction over different inputs) plus exact, reworded, near (one
instruction word dropped and two neighbours swapped, same long answer) and paraphrased
copies. Returns the records and the indices of the planted copies, by kind."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

from seedling.formats import load
from seedling.record import Record

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parents[2] / "data" / "seed_tasks.jsonl"


def seed_records() -> list[Record]:
    return load(SEEDS).records


def _first_instance(records: list[Record]) -> dict[int, int]:
    """Seed task number -> index of its first record (a task can have several instances)."""
    out: dict[int, int] = {}
    for i, r in enumerate(records):
        out.setdefault(int(r.meta["source_id"].rsplit("_", 1)[1]), i)
    return out


def planted() -> tuple[list[Record], dict[str, list[int]]]:
    base = seed_records()
    rows = list(base)
    kinds: dict[str, list[int]] = {"exact": [], "reworded": [], "near": [], "paraphrased": []}
    for r in base[:60:6]:  # exact: case, spacing and punctuation changed
        rows.append(replace(r, instruction="  " + r.instruction.upper().rstrip(".?!") + " !! ", source="generated"))
        kinds["exact"].append(len(rows) - 1)
    long_outputs = [r for r in base if len(r.output.split()) >= 30 and len(r.instruction.split()) >= 6][:10]
    for r in long_outputs:  # reworded: a polite opener, one output word dropped
        ws = r.output.split()
        rows.append(replace(r, instruction="Please " + r.instruction[0].lower() + r.instruction[1:],
                            output=" ".join(ws[: len(ws) // 2] + ws[len(ws) // 2 + 1:]), source="generated"))
        kinds["reworded"].append(len(rows) - 1)
    first = _first_instance(base)
    for r in near_edits([base[i] for i in first.values()]):
        rows.append(r)
        kinds["near"].append(len(rows) - 1)
    for line in (HERE / "paraphrases.jsonl").read_text().splitlines():
        p = json.loads(line)
        r = base[first[p["seed"]]]
        rows.append(replace(r, instruction=p["instruction"], source="generated"))
        kinds["paraphrased"].append(len(rows) - 1)
    return rows, kinds


def near_edits(tasks: list[Record], count: int = 40, seed: int = 0) -> list[Record]:
    """Tasks with a long answer (20+ words), one instruction word dropped and two neighbouring
    words swapped, the answer kept: the same training example with a two-word edit."""
    rng = random.Random(seed)
    out = []
    for r in [t for t in tasks if len(t.output.split()) >= 20 and len(t.instruction.split()) >= 3][:count]:
        ws = r.instruction.split()
        del ws[rng.randrange(len(ws))]
        k = rng.randrange(len(ws) - 1)
        ws[k], ws[k + 1] = ws[k + 1], ws[k]
        out.append(replace(r, instruction=" ".join(ws), source="generated"))
    return out


def shared_context() -> list[Record]:
    """One long passage, five different questions with different answers: five distinct examples."""
    passage = (
        "The Amazon rainforest covers much of the Amazon basin of South America, an area of seven million "
        "square kilometres, of which five and a half million are covered by the rainforest. The region "
        "includes territory belonging to nine nations. The majority of the forest is contained within Brazil, "
        "with 60% of the rainforest, followed by Peru with 13%, Colombia with 10%, and with minor amounts in "
        "Bolivia, Ecuador, French Guiana, Guyana, Suriname and Venezuela. The rainforest likely formed during "
        "the Eocene era, following a global reduction of tropical temperatures when the Atlantic Ocean had "
        "widened sufficiently to provide a warm, moist climate to the Amazon basin."
    )
    qa = [
        ("How much of the Amazon basin is covered by rainforest?", "About five and a half million square kilometres."),
        ("Which country holds the largest share of the Amazon rainforest?", "Brazil, with 60% of the rainforest."),
        ("How many nations have territory in the region?", "Nine nations."),
        ("When did the rainforest likely form?", "During the Eocene era."),
        ("What share of the rainforest lies in Colombia?", "Ten percent."),
    ]
    return [Record(instruction=q, input=passage, output=a, source="generated") for q, a in qa]

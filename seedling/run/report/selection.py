"""With `curate: select`, the report leads with three students trained at equal steps and seed:
on the selected rows, on as many random rows of the same pool, and on all rows; each one's
held-out NLL, and the paired per-example differences with 95% Student's t intervals. A
difference is called only when its interval excludes 0; one seed per student cannot tell a
close difference from what another seed would move, and the page says so."""

from __future__ import annotations

import statistics

from seedling.artifacts import ExampleNLL, PairedDiff, TuneEval
from seedling.run.report.run_files import CURATED, Run
from seedling.stats import paired_diff

STUDENTS = (("selected", "selected rows", "compare-selected"), ("random", "random rows, as many", "compare-random"),
            ("all", "all kept rows", CURATED))
PAIRS = (("selected", "random"), ("selected", "all"), ("random", "all"))


class SeededDiff(PairedDiff):
    """A paired difference of per-example NLL averaged over seeds, with the difference at each seed."""

    by_seed: list[float]
    seed_sd: float


def matched(a: list[ExampleNLL], b: list[ExampleNLL]) -> list[tuple[str, float, float]]:
    """(id, a's student NLL, b's student NLL) for each held-out example both scored, in a's order."""
    by_id = {e.id: e.student for e in b}
    return [(e.id, e.student, by_id[e.id]) for e in a if e.id in by_id]


def paired(a: list[ExampleNLL], b: list[ExampleNLL]) -> PairedDiff | None:
    """a minus b, per held-out example matched by id (per-token NLL): below 0, a is better."""
    both = matched(a, b)
    return paired_diff([x for _, x, _ in both], [y for _, _, y in both])


def call(a: str, b: str, d: PairedDiff) -> str:
    """What the intervals support, in words: never a winner they do not show. With several seeds
    the difference must also hold at every seed and exceed its spread across seeds."""
    if not d.ci95:
        return f"no interval from n = {d.n}"
    if not d.differs:
        return "no clear difference"
    if isinstance(d, SeededDiff) and (any((x < 0) != (d.mean < 0) for x in d.by_seed) or abs(d.mean) <= d.seed_sd):
        return "no clear difference across seeds"
    return f"{a if d.mean < 0 else b} better"


def across_seeds(ev: TuneEval) -> dict | None:
    """A student's held-out NLL per token at each seed: mean and spread (None when trained once)."""
    values = [s.nll_per_token for s in ev.seeds if s.nll_per_token is not None]
    if len(values) < 2:
        return None
    return {"seeds": len(values), "mean": statistics.fmean(values), "sd": statistics.stdev(values),
            "min": min(values), "max": max(values)}


def paired_over_seeds(a: TuneEval, b: TuneEval) -> SeededDiff | None:
    """a minus b per example, each example's NLL averaged over the seeds both have, with the
    difference of means at each seed and its spread (sd across seeds)."""
    n = min(len(a.seeds), len(b.seeds))
    if n < 2:
        return None
    ids = sorted(set.intersection(*(set(s.per_example) for s in a.seeds[:n] + b.seeds[:n])))
    if not ids:
        return None
    def mean(ev: TuneEval, i: str) -> float:
        return statistics.fmean(s.per_example[i] for s in ev.seeds[:n])

    d = paired_diff([mean(a, i) for i in ids], [mean(b, i) for i in ids])
    by_seed = [statistics.fmean(sa.per_example[i] - sb.per_example[i] for i in ids)
               for sa, sb in zip(a.seeds[:n], b.seeds[:n])]
    return SeededDiff(**d.model_dump(), by_seed=by_seed, seed_sd=statistics.stdev(by_seed))


def three_students(run: Run) -> dict:
    if run.config("curate").get("select") is None:
        return {"missing": "curate: select is not set, so no selected student was trained"}
    evals = {key: run.eval(stage) for key, _, stage in STUDENTS}
    absent = [key for key, ev in evals.items() if ev is None]
    if absent:
        return {"missing": "not trained yet: " + ", ".join(f"the {k} student" for k in absent)}
    rows = []
    for key, label, _ in STUDENTS:
        ev = evals[key]
        rows.append({"key": key, "label": label, "train_rows": ev.data.train_rows, "steps": ev.train.steps,
                     "nll_per_token": ev.nll.student and ev.nll.student.nll_per_token,
                     "base": ev.nll.base and ev.nll.base.nll_per_token, "n": ev.nll.n,
                     "across_seeds": across_seeds(ev)})
    diffs = []
    for a, b in PAIRS:
        d = paired_over_seeds(evals[a], evals[b]) or paired(evals[a].nll.per_example, evals[b].nll.per_example)
        if d is not None:
            diffs.append({"a": a, "b": b, **d.model_dump(), "call": call(a, b, d)})
    seeds = min(len(ev.seeds) for ev in evals.values())
    if seeds > 1:
        note = (f"Each student was trained at {seeds} seeds; per example, the NLL is averaged over them, and a "
                "difference is called only when its interval excludes 0, it holds at every seed, and it exceeds "
                "its spread across seeds (sd of the per-seed differences).")
    else:
        seed = run.config("tune").get("seed", 0)
        note = (f"Each student was trained once (seed {seed}). Another seed moves a student's held-out NLL too, and "
                "one seed cannot separate arms closer than that: the intervals above count the held-out examples' "
                "spread, not the training's (tune: seeds: [0, 1, 2] measures it).")
    return {"rows": rows, "paired": diffs, "select": run.config("curate").get("select"), "seeds_note": note}

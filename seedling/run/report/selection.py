"""With `curate: select`, the report leads with three students trained at equal steps and seed:
on the selected rows, on as many random rows of the same pool, and on all rows; each one's
held-out NLL, and the paired per-example differences with 95% Student's t intervals. A
difference is called only when its interval excludes 0; one seed per student cannot tell a
close difference from what another seed would move, and the page says so."""

from __future__ import annotations

from seedling.artifacts import ExampleNLL
from seedling.run.report.run_files import CURATED, Run
from seedling.stats import paired_diff

STUDENTS = (("selected", "selected rows", "compare-selected"), ("random", "random rows, as many", "compare-random"),
            ("all", "all kept rows", CURATED))
PAIRS = (("selected", "random"), ("selected", "all"), ("random", "all"))


def paired(a: list[ExampleNLL], b: list[ExampleNLL]) -> dict | None:
    """a minus b, per held-out example matched by id (per-token NLL): below 0, a is better."""
    by_id = {e.id: e.student for e in b}
    both = [(e.student, by_id[e.id]) for e in a if e.id in by_id]
    return paired_diff([x for x, _ in both], [y for _, y in both])


def call(a: str, b: str, d: dict) -> str:
    """What the interval supports, in words: never a winner its interval does not show."""
    if not d.get("ci95"):
        return f"no interval from n = {d['n']}"
    if not d["differs"]:
        return "no clear difference"
    return f"{a if d['mean'] < 0 else b} better"


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
                     "base": ev.nll.base and ev.nll.base.nll_per_token, "n": ev.nll.n})
    diffs = []
    for a, b in PAIRS:
        d = paired(evals[a].nll.per_example, evals[b].nll.per_example)
        if d is not None:
            diffs.append({"a": a, "b": b, **d, "call": call(a, b, d)})
    seed = run.config("tune").get("seed", 0)
    note = (f"Each student was trained once (seed {seed}). Another seed moves a student's held-out NLL too, and "
            "one seed cannot separate arms closer than that: the intervals above count the held-out examples' "
            "spread, not the training's (tune: seeds: [0, 1, 2] measures it).")
    return {"rows": rows, "paired": diffs, "select": run.config("curate").get("select"), "seeds_note": note}

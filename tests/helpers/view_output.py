"""A small hand-written curate output for seedling view's tests: kept r0-r3, removed r4 (an
exact copy of r0) and r5 (a semantic one), with the links curate leaves (input rows, vectors,
groups) and a file outside the output the server must never serve."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def row(i, instruction, output, **extra):
    return {"id": f"r{i}", "instruction": instruction, "input": "", "output": output, "source": "generated",
            "meta": {"dataset": "qa" if i % 2 else "summaries"}, "cluster": i % 3, "quality": i / 10, **extra}


INPUT_ORDER = ["r0", "r4", "r1", "r2", "r5", "r3"]  # the rows as curate read them


def write_links(out, extra_lines=0):
    """What curate leaves for the view: the input row of each line (kept r0-r3, then removed
    r4 r5), the instruction vectors in input order, and the groups it kept."""
    lines = ["r0", "r1", "r2", "r3", "r4", "r5"]
    np.save(out / "positions.npy", np.array([INPUT_ORDER.index(r) for r in lines] + list(range(6, 6 + extra_lines))))
    vectors = {"r0": [1, 0, 0, 0], "r4": [1, 0, 0, 0], "r1": [0, 1, 0, 0], "r2": [0, 0, 1, 0], "r5": [0.9, 0.1, 0, 0],
               "r3": [0.7, 0, 0.7, 0]}
    np.save(out / "vectors.npy", np.array([vectors[r] for r in INPUT_ORDER] + [[1, 0, 0, 0]] * extra_lines,
                                          dtype=np.float16))
    groups = [{"kind": "conflict", "rows": [0, 5], "about": "Name three primary colours."},
              {"kind": "passage", "rows": [2, 3], "about": "a passage both ask about"}]
    (out / "groups.jsonl").write_text("".join(json.dumps(g) + "\n" for g in groups), encoding="utf-8")


def write_curated(tmp_path: Path) -> Path:
    """The output in tmp_path/out, and tmp_path/secret.txt beside it."""
    out = tmp_path / "out"
    out.mkdir()
    kept = [row(0, "Name three primary colours.", "Red, yellow and blue are primary."),
            row(1, "Explain 100% of the water cycle.", "Water evaporates, condenses and falls as rain."),
            row(2, "Give a synonym for happy.", "Glad", flags=["short_output"]),
            row(3, "Name three primary colours.", "Cyan, magenta and yellow in print.", flags=["conflicting_answers"])]
    removed = [row(4, "name three primary colours!", "Red, yellow and blue are primary.", dup_of="r0",
                    removed_by="exact", reason="exact: same normalised prompt and answer", score=1.0),
               row(5, "List three primary colors please.", "Red, yellow and blue are the primary ones.", dup_of="r0",
                    removed_by="semantic", reason="semantic: instruction cosine >= 0.91", score=0.93)]
    for name, rows in (("kept.jsonl", kept), ("removed.jsonl", removed)):
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    write_links(out)
    (out / "audit.json").write_text("{}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not yours", encoding="utf-8")
    return out

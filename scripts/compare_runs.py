"""Compare two `seedling run` directories of the same seeded config, for a refactor that must
not change behaviour: the rows (split, generated, kept, removed, with curate's columns), the
steering and audit figures, and each student's eval.json (NLL per example, data, training,
samples) and losses. Timings and cache counters are left out, and each run's own directory
reads as RUN in paths; keys an earlier refactor
renamed (meta.round -> meta.batch, stats/rounds `phases` -> `rounds`, stats `rounds` ->
`batches`) are mapped from the older run first.

    python scripts/compare_runs.py OLD_RUN NEW_RUN      (exit 1 if anything differs)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROW_FILES = ("split/seeds.jsonl", "split/held_out.jsonl", "generate/generated.jsonl", "curate/kept.jsonl",
             "curate/removed.jsonl")
JSON_FILES = ("generate/stats.json", "rounds.json", "rounds/round-1/steering.json", "curate/steering.json",
              "curate/audit.json")
STUDENTS = ("tune", "compare-raw/tune", "compare-selected/tune", "compare-random/tune")
IGNORED = {"timings_s", "seconds", "wall_s", "teacher_s", "tokens_per_s", "greedy_seconds", "dir", "hits", "misses",
           "version", "created"}


def _text(root: Path, rel: str) -> str | None:
    path = root / rel
    return path.read_text(encoding="utf-8").replace(str(root.resolve()), "RUN").replace(str(root), "RUN") \
        if path.is_file() else None


def _rows(root: Path, rel: str) -> list[dict] | None:
    text = _text(root, rel)
    return None if text is None else [json.loads(line) for line in text.splitlines() if line.strip()]


def _json(root: Path, rel: str) -> Any:
    text = _text(root, rel)
    return None if text is None else json.loads(text)


def _renamed(rel: str, data: Any) -> Any:
    """An older run's keys under the names the refactor gave them."""
    if rel.endswith(".jsonl"):
        for row in data:
            if "round" in row.get("meta", {}):
                row["meta"]["batch"] = row["meta"].pop("round")
    elif rel in ("generate/stats.json", "rounds.json") and "phases" in data:
        if rel == "generate/stats.json":
            data["batches"] = data.pop("rounds")
        data["rounds"] = [{("round" if k == "phase" else k): v for k, v in p.items()} for p in data.pop("phases")]
    return data


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            if key in IGNORED:
                continue
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'new' if key not in a else 'old'}")
            else:
                out += differences(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {str(a)[:80]!r} != {str(b)[:80]!r}"]


def compare(old: Path, new: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    pairs = [(rel, _rows(old, rel), _rows(new, rel)) for rel in ROW_FILES]
    pairs += [(rel, _json(old, rel), _json(new, rel)) for rel in JSON_FILES]
    for student in STUDENTS:
        pairs.append((f"{student}/eval.json", _json(old, f"{student}/eval.json"), _json(new, f"{student}/eval.json")))
        losses = [_rows(run, f"{student}/metrics.jsonl") for run in (old, new)]
        losses = [None if rows is None else [m.get("loss") for m in rows] for rows in losses]
        pairs.append((f"{student}/metrics.jsonl loss", *losses))
    for rel, a, b in pairs:
        if a is None and b is None:
            continue
        if a is None or b is None:
            found[rel] = [f"only in {'new' if a is None else 'old'}"]
            continue
        found[rel] = differences(_renamed(rel, a), b)
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    found = compare(Path(argv[0]), Path(argv[1]))
    for rel, diffs in found.items():
        print(f"{rel}: {'same' if not diffs else f'{len(diffs)} differences'}")
        for d in diffs[:10]:
            print(f"    {d}")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Write what curate and audit produce, each file atomically (a crash leaves no half file)."""

from __future__ import annotations

import json
from pathlib import Path

from curate.pipeline import CurateResult
from curate.report import html
from seedling.formats import save
from seedling.formats.atomic import atomic_path


def write_json(data: dict, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_report(result: CurateResult, out: Path, title: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    write_json(result.audit, out / "audit.json")
    write_json(result.steering, out / "steering.json")
    html.write(result.audit, result.projection, title, out / "audit.html")
    return [out / "audit.json", out / "audit.html", out / "steering.json"]


def write_data(result: CurateResult, out: Path) -> list[Path]:
    save(result.kept, out / "kept.jsonl")
    save(result.removed, out / "removed.jsonl")
    return [out / "kept.jsonl", out / "removed.jsonl"]

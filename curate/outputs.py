"""Write what curate and audit produce, each file atomically (a crash leaves no half file)."""

from __future__ import annotations

import json
from pathlib import Path

from curate.pipeline import CurateResult
from curate.report import html
from seedling.formats import save
from seedling.formats.atomic import write_json, write_text


def write_report(result: CurateResult, out: Path, title: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "audit.json", result.audit, indent=1)
    write_json(out / "steering.json", result.steering, indent=1)
    html.write(result.audit, result.projection, title, out / "audit.html")
    return [out / "audit.json", out / "audit.html", out / "steering.json"]


def write_data(result: CurateResult, out: Path) -> list[Path]:
    save(result.kept, out / "kept.jsonl")
    save(result.removed, out / "removed.jsonl")
    written = [out / "kept.jsonl", out / "removed.jsonl"]
    if result.selected is not None:
        save(result.selected, out / "selected.jsonl")
        write_text(out / "selection.jsonl", "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in result.selection))
        written += [out / "selected.jsonl", out / "selection.jsonl"]
    return written

"""Write what curate and audit produce, each file atomically (a crash leaves no half file)."""

from __future__ import annotations

import json
from pathlib import Path

from curate import links
from curate.files import AUDIT, AUDIT_PAGE, KEPT, MAP, REMOVED, SELECTED, SELECTION, STEERING
from curate.pipeline import CurateResult
from curate.report import html
from seedling.formats import save
from seedling.formats.atomic import write_json, write_text


def write_report(result: CurateResult, out: Path, title: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / AUDIT, result.audit.dump(), indent=1)
    write_json(out / STEERING, result.steering.model_dump(), indent=1)
    html.write(result.audit, result.projection, title, out / AUDIT_PAGE)
    return [out / AUDIT, out / AUDIT_PAGE, out / STEERING]


def write_data(result: CurateResult, out: Path) -> list[Path]:
    save(result.kept, out / KEPT)
    save(result.removed, out / REMOVED)
    points = {k: result.projection.get(k, []) for k in ("id", "removed", "x", "y", "cluster", "bias")}
    write_json(out / MAP, points, indent=None)
    written = [out / KEPT, out / REMOVED, out / MAP, *links.write(result, out)]
    if result.selected is not None:
        save(result.selected, out / SELECTED)
        write_text(out / SELECTION, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in result.selection))
        written += [out / SELECTED, out / SELECTION]
    return written

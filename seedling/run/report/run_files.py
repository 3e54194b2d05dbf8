"""The run directory as the report reads it: only the files the stages leave there (JSON,
JSONL), each parsed once, found through the layout the manifest records (each stage's declared
files), so the core needs no stage package to report on a run and spells no stage's file name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from seedling.artifacts import GenerateStats, TuneEval
from seedling.curate_audit import CurateAudit
from seedling.errors import SeedlingError

CURATED, RAW = "tune", "compare-raw"  # the two students' stages

STATUS = {"failed": "failed", "running": "is still running, or was interrupted", "skipped": "was skipped",
          "pending": "has not run yet"}


class Run:
    """The run directory as the report reads it: each JSON file parsed once, absent ones None."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._cache: dict[str, Any] = {}
        self.manifest: dict = self.json("manifest.json") or {}
        self.layout: dict[str, dict[str, str]] = self.manifest.get("layout") or _installed_layout()

    def file(self, stage: str, role: str) -> str:
        """A stage's declared file (role: e.g. curate's "audit"), relative to the run directory;
        "" where the run recorded no such file, which then reads as absent."""
        return self.layout.get(stage, {}).get(role, "")

    def json(self, rel: str) -> Any:
        if rel not in self._cache:
            path = self.root / rel
            self._cache[rel] = json.loads(path.read_text(encoding="utf-8")) if rel and path.is_file() else None
        return self._cache[rel]

    def rows(self, rel: str) -> Iterator[dict]:
        """A JSONL file's rows, streamed (a generated file can be large); none if it is absent."""
        path = self.root / rel
        if rel and path.is_file():
            with open(path, encoding="utf-8") as f:
                yield from (json.loads(line) for line in f if line.strip())

    def exists(self, rel: str) -> bool:
        return bool(rel) and (self.root / rel).is_file()

    def generate_stats(self) -> GenerateStats | None:
        data = self.json(self.file("generate", "stats"))
        return GenerateStats.model_validate(data) if data is not None else None

    def audit(self) -> CurateAudit | None:
        data = self.json(self.file("curate", "audit"))
        return CurateAudit.model_validate(data) if data is not None else None

    def eval(self, student: str) -> TuneEval | None:
        """A student's eval.json (`student`: its stage, e.g. CURATED or RAW)."""
        data = self.json(self.file(student, "eval"))
        return TuneEval.model_validate(data) if data is not None else None

    def config(self, section: str) -> dict:
        return self.manifest.get("config", {}).get(section) or {}

    def why_missing(self, stage: str, role: str) -> str:
        """Why a stage's declared file is absent, from the manifest's step status where it has one."""
        pool = self.config("run").get("pool")
        if stage == "generate" and pool:
            return f"a run on a pool has no generate step: its rows are {pool} (run.pool)"
        info = self.manifest.get("stages", {}).get(stage) or {}
        status, detail = info.get("status"), info.get("error") or info.get("reason")
        if status and status != "done":
            return f"the {stage} step {STATUS.get(status, status)}" + (f": {detail}" if detail else "")
        return f"the run stopped before the {stage} step ({self.file(stage, role) or f'its {role} file'} is absent)"


def _installed_layout() -> dict[str, dict[str, str]]:
    """For a manifest written before runs recorded their layout: the installed stages' own."""
    from seedling.run.layout import layout

    try:
        return layout()
    except SeedlingError:
        return {}

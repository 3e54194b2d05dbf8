"""The run directory as the report reads it: only the files the stages leave there (JSON,
JSONL), each parsed once, so the core needs no stage package to report on a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from seedling.artifacts import GenerateStats

CURATED, RAW = "tune", "compare-raw/tune"
GENERATE_STATS = "generate/stats.json"

STATUS = {"failed": "failed", "running": "is still running, or was interrupted", "skipped": "was skipped",
          "pending": "has not run yet"}


class Run:
    """The run directory as the report reads it: each JSON file parsed once, absent ones None."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._cache: dict[str, Any] = {}
        self.manifest: dict = self.json("manifest.json") or {}

    def json(self, rel: str) -> Any:
        if rel not in self._cache:
            path = self.root / rel
            self._cache[rel] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        return self._cache[rel]

    def rows(self, rel: str) -> Iterator[dict]:
        """A JSONL file's rows, streamed (a generated file can be large); none if it is absent."""
        path = self.root / rel
        if path.is_file():
            with open(path, encoding="utf-8") as f:
                yield from (json.loads(line) for line in f if line.strip())

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def generate_stats(self) -> GenerateStats | None:
        data = self.json(GENERATE_STATS)
        return GenerateStats.model_validate(data) if data is not None else None

    def config(self, section: str) -> dict:
        return self.manifest.get("config", {}).get(section) or {}

    def why_missing(self, stage: str, rel: str) -> str:
        """Why a stage's file is absent, from the manifest's step status where it has one."""
        info = self.manifest.get("stages", {}).get(stage) or {}
        status, detail = info.get("status"), info.get("error") or info.get("reason")
        if status and status != "done":
            return f"the {stage} step {STATUS.get(status, status)}" + (f": {detail}" if detail else "")
        return f"the run stopped before the {stage} step ({rel} is absent)"

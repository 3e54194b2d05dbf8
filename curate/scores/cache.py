"""Score columns cached on disk, one directory per scorer setting (model revision, template,
lengths), keyed by a hash of the row's text: a rerun scores nothing twice, and a changed model
or setting never reads another's numbers. Each batch of new rows adds one JSON Lines shard,
written to a temp file and renamed, so an interrupted run keeps what it finished."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any


class ScoreCache:
    def __init__(self, root: Path | None, key: str):
        self.dir = Path(root) / key if root is not None else None
        self._values: dict[str, dict[str, Any]] | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._values is None:
            self._values = {}
            if self.dir is not None and self.dir.is_dir():
                for shard in sorted(self.dir.glob("shard-*.jsonl")):
                    for line in shard.read_text(encoding="utf-8").splitlines():
                        entry = json.loads(line)
                        self._values[entry["k"]] = entry["v"]
        return self._values

    def get(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        values = self._load()
        return {k: values[k] for k in keys if k in values}

    def put(self, entries: dict[str, dict[str, Any]]) -> None:
        self._load().update(entries)
        if self.dir is None or not entries:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        final = self.dir / f"shard-{uuid.uuid4().hex}.jsonl"
        tmp = self.dir / f".{final.name}.tmp"
        tmp.write_text("".join(json.dumps({"k": k, "v": v}) + "\n" for k, v in entries.items()), encoding="utf-8")
        os.replace(tmp, final)

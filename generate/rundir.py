"""runs/<name>/generate/: append-only shards, a small state file, the final file and stats.

Accepted rows are the truth and live only in the shards: each process appends to a shard of
its own, one JSON line a row, flushed and fsynced after every batch, so kill -9 loses at most
the batch in flight and can tear at most the last line of one shard (skipped on read). The
state file (counters, batch number) is replaced atomically after the shard write; after a
kill it may lag the shards by one batch, which only costs a few counts, never a row.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from seedling.artifacts import GenerateStats
from seedling.formats.atomic import write_json
from seedling.hashing import fingerprint
from seedling.identity import claim, stored, upgraded
from seedling.record import Record, make_record

from generate.files import STATS

CONFIG = "config.json"
STATE = "state.json"
SHARDS = "shards"


class RunDir:
    def __init__(self, root: Path):
        self.root = root
        self.shard_dir = root / SHARDS
        self._shard = None

    def open(self, config: dict[str, Any], new_run: bool, defaults: dict[str, Any] | None = None) -> bool:
        """Claim the directory for `config`; True when resuming an earlier run of it.

        A different config is refused, or with `new_run` the old run is moved aside (kept,
        not deleted) so the two are never mixed. A run stored before an option existed is
        the same run where `config` holds that option at its value in `defaults`: an upgrade
        alone does not refuse a resume."""
        stray = self.root.exists() and any(self.root.iterdir()) and not new_run

        def upgrade(saved: dict[str, Any]) -> dict[str, Any]:
            filled = upgraded(saved["config"], stored(config), defaults or {})
            return {"fingerprint": fingerprint(filled), "config": filled}

        return claim(self.root, CONFIG, {"fingerprint": fingerprint(config), "config": config},
                     view=lambda saved: saved["config"], move_aside=new_run, upgrade=upgrade,
                     stray=f"{self.root} exists but holds no seedling run; choose another --out" if stray else None,
                     advice="rerun with the same options to resume it, pass --new-run to move it aside and "
                            "start afresh, or choose another --out")

    def rows(self) -> Iterator[Record]:
        """Accepted rows in order of acceptance; a torn last line (a kill mid-write) is skipped."""
        for shard in sorted(self.shard_dir.glob("*.jsonl")):
            with shard.open(encoding="utf-8") as f:
                for line in f:
                    if not line.endswith("\n"):
                        break
                    d = json.loads(line)
                    yield make_record(instruction=d["instruction"], input=d["input"], output=d["output"],
                                      source=d["source"], meta=d["meta"], path=shard)

    def append(self, rows: list[Record]) -> None:
        if not rows:
            return
        if self._shard is None:
            self.shard_dir.mkdir(parents=True, exist_ok=True)
            n = len(list(self.shard_dir.glob("*.jsonl")))
            self._shard = open(self.shard_dir / f"{n:05d}-{os.getpid()}.jsonl", "a", encoding="utf-8")
        self._shard.write("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in rows))
        self._shard.flush()
        os.fsync(self._shard.fileno())

    def close(self) -> None:
        if self._shard is not None:
            self._shard.close()
            self._shard = None

    def state(self) -> dict[str, Any]:
        path = self.root / STATE
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def save_state(self, state: dict[str, Any]) -> None:
        write_json(self.root / STATE, state)

    def save_stats(self, stats: GenerateStats) -> None:
        write_json(self.root / STATS, stats.model_dump())

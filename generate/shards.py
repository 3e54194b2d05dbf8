"""Generation in deterministic shards with completion markers, for any job runner.

Shard K of N is an ordinary generate run of its own, in OUT/generate/shard-K-of-N/, whose
options follow from (config, K, N) alone: its share of --num and a seed derived from the
config's seed, K and N. So a Slurm array task, a Kubernetes indexed job, a Ray task or a
laptop running the shards one after another all produce the same rows for a shard.

A shard's marker (complete.json) is written only after its generated.jsonl is complete and
on disk (written atomically and fsynced), and names that file's SHA-256: a rerun of a
finished shard does nothing, an interrupted shard resumes from its append-only rows, and
`seedling merge` trusts only shards whose marker matches their file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.console import Console

from seedling.errors import ConfigError
from seedling.formats.atomic import write_json
from seedling.hashing import file_sha256, fingerprint
from seedling.teachers import default_engine

from generate.files import DIR, OUTPUT
from generate.options import GenerateOptions

MARKER = "complete.json"
SHARD_DIR = re.compile(r"shard-(\d+)-of-(\d+)")


@dataclass(frozen=True, order=True)
class Shard:
    """Shard k of n, counted from 1 (Slurm's and Kubernetes' 0-based indexes plus one)."""

    k: int
    n: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not m:
            raise ConfigError(f"--shard {text!r}: expected K/N, e.g. 3/8 (shard 3 of 8, counted from 1)")
        return cls.of(int(m[1]), int(m[2]))

    @classmethod
    def of(cls, k: int, n: int) -> "Shard":
        if n < 1 or not 1 <= k <= n:
            raise ConfigError(f"shard {k}/{n}: K must be between 1 and N (shards are counted from 1)")
        return cls(k, n)

    @property
    def name(self) -> str:
        return f"{self.k}-of-{self.n}"

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"


def shard_root(out: str | Path, shard: Shard) -> Path:
    """The shard's own run directory (its rows are in `generate/` inside it, as for any run)."""
    return Path(out) / DIR / f"shard-{shard.name}"


def shard_seed(seed: int, shard: Shard) -> int:
    """The config's seed for one shard; a single shard keeps it, so 1/1 is the plain run."""
    if shard.n == 1:
        return seed
    return int(hashlib.sha256(f"seedling-shard:{seed}:{shard.k}/{shard.n}".encode()).hexdigest()[:8], 16)


def shard_num(num: int, shard: Shard) -> int:
    """Shard k's share of `num`: the first num % n shards take one row more."""
    return num // shard.n + (1 if shard.k <= num % shard.n else 0)


def check_split(opts: GenerateOptions, n: int) -> None:
    if n > opts.num:
        raise ConfigError(f"{n} shards for --num {opts.num}: every shard needs at least one row; use fewer shards")


def shard_options(opts: GenerateOptions, shard: Shard) -> GenerateOptions:
    check_split(opts, shard.n)
    return opts.model_copy(update={"num": shard_num(opts.num, shard), "seed": shard_seed(opts.seed, shard)})


def plan_fingerprint(opts: GenerateOptions, n: int) -> str:
    """What the N shards of this config produce together: the config as a run fingerprints it
    (seed file and template contents included), the total --num and N. Markers carry it, so
    merge never mixes shards of two configs and a changed --num reopens finished shards."""
    from generate.runner import run_config

    if not opts.seeds:
        raise ConfigError("no seed tasks: pass --seeds FILE (or generate.seeds in the config)")
    engine = opts.engine or default_engine()[0]
    config = run_config(opts, engine, Path(opts.seeds))
    return fingerprint({**config, "num": opts.num, "shards": n})


@dataclass
class ShardResult:
    shard: Shard
    status: str  # "done" (ran to completion now), "skipped" (already complete) or "unfinished"
    rows: int
    output: Path

    def to_dict(self) -> dict[str, Any]:
        return {"shard": str(self.shard), "status": self.status, "rows": self.rows, "output": str(self.output)}


def read_marker(root: Path) -> dict[str, Any] | None:
    """The marker, if the shard's output is still the file it names; else None."""
    path = root / MARKER
    if not path.is_file():
        return None
    marker = json.loads(path.read_text(encoding="utf-8"))
    output = root / DIR / OUTPUT
    if not output.is_file() or file_sha256(output) != marker.get("sha256"):
        return None
    return marker


def run_shard(opts: GenerateOptions, out: str | Path, shard: Shard, *, new_run: bool = False,
              console: Console | None = None) -> ShardResult:
    """Run or resume one shard; a shard already complete for this plan is left untouched."""
    from generate.runner import generate

    console = console or Console(stderr=True)
    root = shard_root(out, shard)
    plan = plan_fingerprint(opts, shard.n)
    own = shard_options(opts, shard)
    marker = read_marker(root)
    if marker is not None and marker["plan"] == plan and not new_run:
        console.print(f"shard {shard}: already complete ({marker['rows']} rows), nothing to do")
        return ShardResult(shard, "skipped", marker["rows"], root / DIR / OUTPUT)
    (root / MARKER).unlink(missing_ok=True)  # stale (another plan or --num): never trusted past this point
    console.print(f"shard {shard}: {own.num} rows, seed {own.seed}, in {root}")
    result = generate(own, root, new_run=new_run, console=console)
    rows = result.stats.accepted
    if rows < own.num:
        console.print(f"shard {shard}: unfinished ({rows}/{own.num} rows); rerun it to continue")
        return ShardResult(shard, "unfinished", rows, result.output)
    write_json(root / MARKER, {"shard": shard.k, "of": shard.n, "plan": plan, "rows": rows,
                               "sha256": file_sha256(result.output), "output": f"{DIR}/{OUTPUT}",
                               "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    return ShardResult(shard, "done", rows, result.output)


def pending(opts: GenerateOptions, out: str | Path, n: int) -> list[Shard]:
    """The shards of N that are not yet complete for this plan, in order."""
    check_split(opts, n)
    plan = plan_fingerprint(opts, n)
    shards = [Shard.of(k, n) for k in range(1, n + 1)]
    return [s for s in shards if (m := read_marker(shard_root(out, s))) is None or m["plan"] != plan]

"""`seedling merge RUN`: the finished shards of a run, in shard order, as one data-contract file.

Each shard screened its rows against the seeds and its own rows only, so two shards can
accept the same task. Merge replays the online filter's last tiers over the shards in order
(the same content id check and the same near-duplicate index, with the threshold the run was
configured with) and keeps the first of each; what it removes is listed in merge.json. It
merges only complete shards (marker present and matching its file) and names any that are
missing or unfinished; `partial` merges the complete ones anyway and says so.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from seedling.artifacts import GenerateStats
from seedling.errors import SeedlingError
from seedling.formats import load, save
from seedling.formats.atomic import write_json

from generate.files import DIR, OUTPUT, STATS
from generate.rundir import CONFIG
from generate.shards import SHARD_DIR, Shard, read_marker
from generate.similarity import make_index

REPORT = "merge.json"


@dataclass
class Merged:
    output: Path
    rows: int
    report: dict[str, Any]


def find_shards(run: Path, n: int | None = None) -> int:
    """N of the run's shard directories; several N side by side need `n` to choose."""
    found = sorted({int(m[2]) for d in (run / DIR).glob("shard-*-of-*")
                    if d.is_dir() and (m := SHARD_DIR.fullmatch(d.name))})
    if n is not None:
        if n not in found:
            raise SeedlingError(f"{run / 'generate'}: no shards of {n} (found: {_listing(found)})")
        return n
    if not found:
        raise SeedlingError(f"{run / 'generate'}: no shard directories (shard-K-of-N); run "
                            "`seedling generate --shard K/N --out RUN` first")
    if len(found) > 1:
        raise SeedlingError(f"{run / 'generate'} holds shards of several splits ({_listing(found)}); "
                            "choose one with --shards N")
    return found[0]


def _listing(ns: list[int]) -> str:
    return ", ".join(f"N={n}" for n in ns) or "none"


def merge(run: str | Path, *, shards: int | None = None, partial: bool = False,
          console: Console | None = None) -> Merged:
    console = console or Console(stderr=True)
    run = Path(run)
    n = find_shards(run, shards)
    complete, missing, unfinished = [], [], []
    for k in range(1, n + 1):
        root = run / DIR / f"shard-{k}-of-{n}"
        marker = read_marker(root)
        if marker is not None:
            complete.append((Shard(k, n), root, marker))
        else:
            (unfinished if root.exists() else missing).append(f"{k}/{n}")
    plans = {m["plan"] for _, _, m in complete}
    if len(plans) > 1:
        raise SeedlingError(f"{run / 'generate'}: the complete shards were made with different configs or "
                            f"--num (plans {', '.join(sorted(plans))}); rerun every shard with one config")
    if not complete or ((missing or unfinished) and not partial):
        raise SeedlingError(_not_ready(run, n, missing, unfinished, partial))

    config = json.loads((complete[0][1] / DIR / CONFIG).read_text(encoding="utf-8"))["config"]
    index = make_index(config["similarity"], config["similarity_threshold"])
    ids: set[str] = set()
    kept, removed, per_shard = [], [], []
    for shard, root, _ in complete:
        rows = load(root / DIR / OUTPUT).records
        before = len(kept)
        for row in rows:
            reason = "duplicate_id" if row.id in ids else "near_duplicate" if index.is_duplicate(row.instruction) \
                else None
            if reason:
                removed.append({"id": row.id, "shard": str(shard), "reason": reason,
                                "instruction": row.instruction[:200]})
                continue
            index.add(row.instruction)
            ids.add(row.id)
            kept.append(row)
        per_shard.append({"shard": str(shard), "rows": len(rows), "kept": len(kept) - before})

    root = run / DIR
    output = root / OUTPUT
    save(kept, output)
    reasons = Counter(r["reason"] for r in removed)
    report = {"shards": n, "merged": [str(s) for s, _, _ in complete], "missing": missing, "unfinished": unfinished,
              "partial": bool(missing or unfinished), "rows": len(kept), "target": _target(complete),
              "removed_across_shards": dict(reasons), "per_shard": per_shard, "removed": removed,
              "output": str(output)}
    write_json(root / REPORT, report)
    write_json(root / STATS, _stats(complete, len(kept), reasons, output).model_dump())
    console.print(f"merged {len(complete)} of {n} shards: {len(kept)} rows to {output}"
                  + (f" (removed across shards: {dict(reasons)})" if reasons else ""))
    if missing or unfinished:
        console.print(f"[yellow]partial merge[/]: missing {missing or 'none'}, unfinished {unfinished or 'none'}")
    return Merged(output, len(kept), report)


def _target(complete) -> int:
    """The rows the merged shards were asked for (--num when every shard is there)."""
    return sum(m["rows"] for _, _, m in complete)


def _not_ready(run: Path, n: int, missing: list[str], unfinished: list[str], partial: bool) -> str:
    parts = []
    if missing:
        parts.append(f"never started: {', '.join(missing)}")
    if unfinished:
        parts.append(f"started but not complete (no completion marker): {', '.join(unfinished)}")
    advice = ("run them with `seedling generate --shard K/N` and the same config (finished shards are "
              "skipped)")
    if not partial:
        advice += ", or pass --partial to merge the complete ones"
    return f"{run}: {n - len(missing) - len(unfinished)} of {n} shards complete; {'; '.join(parts)}; {advice}"


def _stats(complete, rows: int, removed: Counter, output: Path) -> GenerateStats:
    """The shards' stats summed (times are summed work, not wall time of the whole job)."""
    shards = [GenerateStats.model_validate_json((root / DIR / STATS).read_text(encoding="utf-8"))
              for _, root, _ in complete]
    rejected: Counter = Counter()
    notes: Counter = Counter()
    for s in shards:
        rejected.update(s.rejected)
        notes.update(s.notes)
    rejected.update({f"{reason}_across_shards": k for reason, k in removed.items()})
    teacher_s = sum(s.teacher_s for s in shards)
    tokens_out = sum(s.tokens_out for s in shards)
    return GenerateStats(accepted=rows, target=_target(complete), batches=sum(s.batches for s in shards),
                         method=shards[0].method, tokens_in=sum(s.tokens_in for s in shards),
                         tokens_out=tokens_out, tokens_per_s=round(tokens_out / teacher_s, 1) if teacher_s else 0.0,
                         wall_s=round(sum(s.wall_s for s in shards), 1), teacher_s=round(teacher_s, 1),
                         rejected=dict(rejected.most_common()), notes=dict(notes), output=str(output))

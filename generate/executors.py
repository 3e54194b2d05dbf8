"""Who runs the N shards of a plan: this process one after another (`local`), or Ray.

Both run the same `run_shard` with the same per-shard options, so they give the same rows;
both skip the shards already complete and merge once every shard is. Under Ray each shard is
one task: a worker that dies (killed, node lost) has its task rerun (`MAX_RETRIES`), and the
rerun resumes the shard from the rows it had already written. An error inside a shard (a bad
config, a teacher that answers nothing) is reported with its shard and does not stop the
others; rerunning the command redoes only what is not complete. The run directory must be
on a filesystem every Ray node sees.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rich.console import Console

from seedling.errors import ConfigError, SeedlingError

from generate.merge import Merged, merge
from generate.options import GenerateOptions
from generate.shards import Shard, pending, run_shard

MAX_RETRIES = 3  # reruns of a shard whose worker died


def run_local(opts: GenerateOptions, out: Path, n: int, *, new_run: bool = False,
              console: Console | None = None) -> Merged:
    console = console or Console(stderr=True)
    unfinished = []
    for k in range(1, n + 1):
        result = run_shard(opts, out, Shard.of(k, n), new_run=new_run, console=console)
        if result.status == "unfinished":
            unfinished.append(str(result.shard))
    if unfinished:
        raise SeedlingError(f"shards {', '.join(unfinished)} stopped before their rows were complete "
                            "(--max-batches?); rerun the same command to continue them")
    return merge(out, shards=n, console=console)


def shard_task(opts: dict[str, Any], out: str, k: int, n: int) -> dict[str, Any]:
    """One shard inside a Ray worker: it builds its own teacher from the config."""
    return run_shard(GenerateOptions.model_validate(opts), out, Shard.of(k, n), console=Console(stderr=True)).to_dict()


def run_ray(opts: GenerateOptions, out: Path, n: int, *, address: str | None = None,
            console: Console | None = None) -> Merged:
    """Each pending shard as a Ray task on the cluster at `address` (else RAY_ADDRESS, else a
    local one started here and stopped after), then the merge on this machine."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--executor ray needs Ray: pip install 'seedling[ray]'") from None
    console = console or Console(stderr=True)
    out = Path(out).resolve()
    # Workers do not share this process's directory; these two paths may change between runs.
    opts = opts.model_copy(update={k: str(Path(v).resolve()) for k in ("seeds", "steering")
                                   if (v := getattr(opts, k)) and Path(v).exists()})
    todo = pending(opts, out, n)
    for k in sorted(set(range(1, n + 1)) - {s.k for s in todo}):
        console.print(f"shard {k}/{n}: already complete, skipped")
    if todo:
        started = not ray.is_initialized()
        if started:
            address = address or os.environ.get("RAY_ADDRESS")
            ray.init(address=address, **({} if address else {"include_dashboard": False}))
        try:
            failures = _run_tasks(ray, opts, out, todo, console)
        finally:
            if started:
                ray.shutdown()
        if failures:
            raise SeedlingError(f"{len(failures)} of {n} shards did not complete: " + "; ".join(failures)
                                + ". Rerun the same command: complete shards are skipped, the others resume")
    return merge(out, shards=n, console=console)


def _run_tasks(ray, opts: GenerateOptions, out: Path, todo: list[Shard], console: Console) -> list[str]:
    task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(shard_task)
    config = opts.model_dump()
    refs = {task.remote(config, str(out), s.k, s.n): s for s in todo}
    console.print(f"ray: {len(todo)} shard tasks submitted")
    failures = []
    while refs:
        ready, _ = ray.wait(list(refs), num_returns=1)
        for ref in ready:
            shard = refs.pop(ref)
            try:
                result = ray.get(ref)
            except ray.exceptions.RayError as exc:
                failures.append(f"{shard}: {_describe(exc)}")
                console.print(f"[red]shard {shard} failed[/]: {_describe(exc)}")
                continue
            if result["status"] == "unfinished":
                failures.append(f"{shard}: unfinished ({result['rows']} rows; --max-batches?)")
            console.print(f"shard {shard}: {result['status']} ({result['rows']} rows)")
    return failures


def _describe(exc: BaseException) -> str:
    """The shard's own error in one line, not Ray's wrapper with its remote traceback."""
    cause = getattr(exc, "cause", None)
    shown = cause if cause is not None else exc
    lines = [line for line in str(shown).splitlines() if line.strip()]
    return f"{type(shown).__name__}: {lines[0] if cause is not None else lines[-1]}" if lines else type(shown).__name__

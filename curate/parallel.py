"""Per-row Python work on every core of the machine.

Quality checks and the bias scan are pure Python over each row, one core's work while the
other cores wait. The rows are cut into contiguous chunks, one per core, each run in a forked
worker: it inherits the rows, so nothing is pickled on the way in, and only each chunk's
result comes back, in order. With one core, too few rows to pay for a fork, or no `fork` on
the platform, the same function runs here over all rows, so a result never depends on where
it ran. The work must not start threads of its own libraries (torch) in a worker; the static
model's batch tokenizer call is the one exception measured (tokenizers 0.23: a worker forked after
this process had tokenized 50K words tokenized them again, no thread hung; curate/embed_cache.py).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Sequence, TypeVar

from seedling.errors import SeedlingError

T = TypeVar("T")
MIN_ROWS = 20_000  # a chunk smaller than this costs more to fork and send back than it saves

_work: Callable | None = None  # set for the workers to inherit; a closure cannot be pickled to them


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def chunks(work: Callable[[int, int], T], n: int, min_rows: int | None = None) -> list[T]:
    """`work(start, stop)` over contiguous chunks of range(n), one a core, in order."""
    workers = min(cores(), n // max(1, min_rows or MIN_ROWS))
    if workers < 2 or sys.platform != "linux":
        return [work(0, n)]
    global _work
    _work = work
    bounds = [(n * k // workers, n * (k + 1) // workers) for k in range(workers)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_run, bounds))
    except BrokenProcessPool:  # multiprocessing.Pool would wait forever for a killed worker
        raise SeedlingError(f"a worker process died while {workers} processes shared {n} rows (killed, or out of "
                            "memory?); nothing was written") from None
    finally:
        _work = None


def map_rows(fn: Callable[[object], T], rows: Sequence, min_rows: int | None = None) -> list[T]:
    """[fn(row) for row in rows], the rows spread over the cores."""
    parts = chunks(lambda start, stop: [fn(r) for r in rows[start:stop]], len(rows), min_rows)
    return [x for part in parts for x in part]


def _run(bounds: tuple[int, int]):
    return _work(*bounds)

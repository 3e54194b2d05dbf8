"""Progress of an evaluation step, with rows/s: a live bar on a terminal, and plain lines when
the output goes to a file or a pipe (a log, CI, `seedling run > log`), where a live bar shows
nothing until it ends. A step that takes minutes must never look like a hang."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _per_s(rate: float) -> str:
    """rows/s with the digits that matter: 12.3, 0.43, 0.031."""
    return f"{rate:.1f} rows/s" if rate >= 1 else f"{rate:.2g} rows/s"


class RowMeter:
    """Counts rows done of `total`. On a terminal a rich bar; elsewhere a line when it starts, at
    most every `every` seconds while it runs, and when it ends."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, every: float = 10.0,
                 live: bool | None = None):
        self.label, self.total, self.every = label, total, every
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.done = 0
        self._bar = None

    def __enter__(self) -> RowMeter:
        self.start = self.last = time.perf_counter()
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                                 console=Console(file=self.stream), transient=False)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, rate="- rows/s")
        else:
            self._line(f"{self.label}: {self.total} rows")
        return self

    def rate(self) -> float:
        elapsed = time.perf_counter() - self.start
        return self.done / elapsed if elapsed > 0 else 0.0

    def advance(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if self._bar is not None:
            self._bar.update(self._task, advance=n, rate=_per_s(self.rate()))
        elif now - self.last >= self.every and self.done < self.total:
            self.last = now
            left = (self.total - self.done) / self.rate() if self.rate() else 0.0
            self._line(f"{self.label}: {self.done}/{self.total} rows, {_per_s(self.rate())}, "
                       f"about {_clock(left)} left")

    def note(self, text: str) -> None:
        """Where a step that finishes all its rows at once stands (decoding step k, say): shown
        beside the bar, or as a line at most every `every` seconds."""
        now = time.perf_counter()
        if self._bar is not None:
            self._bar.update(self._task, rate=text)
        elif now - self.last >= self.every:
            self.last = now
            self._line(f"{self.label}: {text}, {_clock(now - self.start)} so far")

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif exc[0] is None:
            self._line(f"{self.label}: {self.done}/{self.total} rows in {_clock(time.perf_counter() - self.start)}, "
                       f"{_per_s(self.rate())}")

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

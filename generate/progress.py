"""Live progress (accepted / target, rejections by reason, tokens/s, ETA) and the final table."""

from __future__ import annotations

import time

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from seedling.artifacts import GenerateStats
from seedling.teachers import Completion

from generate.tally import Tally


class LiveProgress:
    """Moves on every finished teacher request, not only when a batch ends: a CPU batch can run
    for minutes, and a still screen reads as a hang."""

    def __init__(self, console: Console, target: int):
        self.console = console
        self.target = target
        self.start = time.perf_counter()
        self.start_accepted = 0
        self.accepted = 0
        self.tally = Tally()
        self.batch_no = 0
        self.requests = 0
        self.live_tokens = 0  # output tokens of requests finished in this process
        # Not a terminal (a log, a pipe): a live display draws nothing until it ends, then runs
        # into the next output; a plain line per batch instead.
        self.live = Live(console=console, refresh_per_second=4, transient=False) if console.is_terminal else None

    def __enter__(self) -> "LiveProgress":
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)

    def begin(self, accepted: int) -> None:
        self.start_accepted = accepted

    def request_done(self, completion: Completion) -> None:
        self.requests += 1
        self.live_tokens += completion.completion_tokens
        if self.live is not None:
            self._show()

    def update(self, accepted: int, tally: Tally, batch_no: int) -> None:
        self.accepted, self.tally, self.batch_no = accepted, tally, batch_no
        self._show()

    def _show(self) -> None:
        elapsed = time.perf_counter() - self.start
        done_here = self.accepted - self.start_accepted
        eta = (self.target - self.accepted) * elapsed / done_here if done_here else None
        speed = self.live_tokens / elapsed if elapsed else 0.0
        head = Text.assemble(
            ("accepted ", "bold"), f"{self.accepted}/{self.target}",
            f"   batch {self.batch_no}   requests {self.requests:,}   {speed:,.0f} tok/s   ",
            ("ETA ", "bold"), _duration(eta) if eta is not None else "?")
        rejected = ", ".join(f"{k} {v}" for k, v in self.tally.rejected.most_common()) or "none"
        if self.live is None:
            self.console.print(Text.assemble(head, f"  rejected: {rejected}"), highlight=False, soft_wrap=True)
            return
        self.live.update(Group(ProgressBar(total=self.target, completed=self.accepted, width=40), head,
                               Text(f"rejected: {rejected}", style="dim")))


def summary_table(stats: GenerateStats) -> Table:
    table = Table(title="generate", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key in ("accepted", "target", "batches", "tokens_in", "tokens_out", "rows_per_1k_tokens", "tokens_per_s",
                "wall_s"):
        value = getattr(stats, key)
        if value is not None:
            table.add_row(key, f"{value:,}" if isinstance(value, int) else f"{value:,.2f}")
    for reason, n in stats.rejected.items():
        table.add_row(f"rejected: {reason}", f"{n:,}")
    for note, n in stats.notes.items():
        table.add_row(f"note: {note}", f"{n:,}")
    return table


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"

"""Live progress (accepted / target, rejections by reason, tokens/s, ETA) and the final table."""

from __future__ import annotations

import time

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from generate.tally import Tally


class LiveProgress:
    def __init__(self, console: Console, target: int):
        self.console = console
        self.target = target
        self.start = time.perf_counter()
        self.start_accepted = 0
        self.live = Live(console=console, refresh_per_second=4, transient=False)

    def __enter__(self) -> "LiveProgress":
        self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)

    def begin(self, accepted: int) -> None:
        self.start_accepted = accepted

    def update(self, accepted: int, tally: Tally, batch_no: int) -> None:
        elapsed = time.perf_counter() - self.start
        done_here = accepted - self.start_accepted
        eta = (self.target - accepted) * elapsed / done_here if done_here else None
        head = Text.assemble(
            ("accepted ", "bold"), f"{accepted}/{self.target}",
            f"   batch {batch_no}   {tally.tokens_per_s:,.0f} tok/s   ",
            ("ETA ", "bold"), _duration(eta) if eta is not None else "?")
        rejected = ", ".join(f"{k} {v}" for k, v in tally.rejected.most_common()) or "none"
        self.live.update(Group(ProgressBar(total=self.target, completed=accepted, width=40), head,
                               Text(f"rejected: {rejected}", style="dim")))


def summary_table(stats: dict) -> Table:
    table = Table(title="generate", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key in ("accepted", "target", "batches", "tokens_in", "tokens_out", "tokens_per_s", "wall_s"):
        table.add_row(key, f"{stats[key]:,}" if isinstance(stats[key], int) else f"{stats[key]:,.1f}")
    for reason, n in stats["rejected"].items():
        table.add_row(f"rejected: {reason}", f"{n:,}")
    for note, n in stats["notes"].items():
        table.add_row(f"note: {note}", f"{n:,}")
    return table


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"

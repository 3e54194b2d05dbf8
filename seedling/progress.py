"""Progress for output that is not a terminal (a log file, a pipe, CI): rich's live bars draw
nothing there until the end, so a long step looks hung. This prints a plain line instead,
at most every few seconds, and a last one when the work is done."""

from __future__ import annotations

import time

from rich.console import Console


class PlainProgress:
    """The part of rich.progress.Progress that the stages use: add_task and advance."""

    def __init__(self, console: Console, every_s: float = 10.0):
        self.console = console
        self.every_s = every_s
        self.tasks: dict[int, dict] = {}

    def __enter__(self) -> "PlainProgress":
        return self

    def __exit__(self, *exc) -> None:
        for task_id, task in self.tasks.items():
            if task["shown"] != task["done"]:
                self._line(task_id)

    def add_task(self, description: str, total: int) -> int:
        task_id = len(self.tasks)
        now = time.perf_counter()
        self.tasks[task_id] = {"description": description, "total": total, "done": 0, "shown": 0,
                               "start": now, "last": now}
        self.console.print(f"{description}: started", highlight=False)
        return task_id

    def advance(self, task_id: int, n: float = 1) -> None:
        task = self.tasks[task_id]
        task["done"] += n
        if time.perf_counter() - task["last"] >= self.every_s or task["done"] >= task["total"]:
            self._line(task_id)

    def _line(self, task_id: int) -> None:
        task = self.tasks[task_id]
        now = time.perf_counter()
        elapsed = now - task["start"]
        rate = f", {task['done'] / elapsed:.1f}/s" if elapsed > 0 else ""
        self.console.print(f"{task['description']}: {task['done']:g}/{task['total']}{rate}, {elapsed:.0f} s",
                           highlight=False)
        task["shown"], task["last"] = task["done"], now

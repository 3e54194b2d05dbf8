"""One engine for several runs of one program (the rounds of a coverage-guided run).

A vLLM engine takes minutes to start on a CPU, so it is built on the first prompt, never when
every run finds its rows already there, and closed once by the owner of the SharedTeacher.
The engine's name is known before it is built: it enters the run's config fingerprint.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from seedling.teachers import Teacher, default_engine, make_teacher
from seedling.teachers.engine_log import engine_output_to


class SharedTeacher:
    def __init__(self, opts, console: Console | None = None, teacher: Teacher | None = None,
                 log_file: Path | None = None):
        """`opts` (TeacherOptions, such as generate's options) says how to build
        the engine; a ready `teacher` is used as it is and left open for its own owner to close.
        The engine's own output goes to `log_file` unless `opts.verbose` is set."""
        self.opts = opts
        self.log_file = None if getattr(opts, "verbose", False) else log_file
        self.console = console or Console(stderr=True)
        self._teacher = teacher
        self._owned = teacher is None
        if teacher is not None:
            self.engine = teacher.info.engine
        elif opts.engine is not None:
            self.engine = opts.engine
        else:
            self.engine, why = default_engine()
            self.console.print(f"engine: {self.engine} ({why}; choose with --engine)")

    def get(self) -> Teacher:
        if self._teacher is None:
            o = self.opts
            where = f"; its own log: {self.log_file}" if self.log_file else ""
            name = o.model or "embedded SmolLM2-135M-Instruct"
            self.console.print(f"loading the teacher ({self.engine}: {name}{where})")
            with engine_output_to(self.log_file):
                self._teacher = make_teacher(self.engine, o.model, **o.engine_options(self.engine))
        return self._teacher

    def close(self) -> None:
        if self._owned and self._teacher is not None:
            self._teacher.close()
            self._teacher = None

"""Model-based scores as row columns. A scorer is one small module with a class that has a
`name`, `from_options(opts)`, `settings()` (what decides its numbers: model revision, template,
lengths), `score(records, advance) -> list[dict]` (one dict of columns a row), `flags(value)`
and `summary(values)`, plus one line in SCORERS. Values are cached on disk by settings + row
text, so a rerun scores nothing twice; new rows are scored in chunks (each chunk cached at
once) under a progress bar with rows/s. A scorer whose values also depend on the other rows
adds `see_pool(records)`, called with the whole pool before scoring, and `in_pool(values) ->
values`, run after the cache, never cached. A column whose value is None is left off the row:
that row is unscored by that scorer."""

from __future__ import annotations

import json
import pkgutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from curate.scores.cache import ScoreCache
from seedling.errors import ConfigError
from seedling.hashing import fingerprint
from seedling.models import cache_dir
from seedling.nll import chat_prompt
from seedling.record import Record
from seedling.text import text_hash

SCORERS = {
    "learned": "curate.scores.learned:LearnedScorer",
    "ifd": "curate.scores.ifd:IFDScorer",
    "judge": "curate.scores.judge:JudgeScorer",
}


@dataclass
class Scores:
    columns: list[dict[str, Any]]  # one dict a row: the scorers' non-null values
    flags: list[list[str]]
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)


def active(opts) -> list[str]:
    """`scores` when set; else the learned score whenever rows are selected; judge only where a judge
    model is named."""
    names = list(opts.scores) if opts.scores is not None else (["learned"] if opts.select is not None else [])
    if opts.scores is None and opts.judge.model:
        names.append("judge")
    return names


def build(name: str, opts):
    if name not in SCORERS:
        raise ConfigError(f"unknown scorer {name!r}; choose from: {', '.join(SCORERS)}")
    return pkgutil.resolve_name(SCORERS[name]).from_options(opts)


def row_key(record: Record) -> str:
    """What a scorer sees of a row: the chat prompt (system turn included) and the answer."""
    return text_hash(json.dumps([chat_prompt(record), record.output], ensure_ascii=False))


def settings_key(name: str, settings: dict[str, Any]) -> str:
    return f"{name}-{fingerprint(settings)}"


class RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        return Text(f"{task.speed:.1f} rows/s" if task.speed else "- rows/s", style="progress.data.speed")


def progress_bar(console: Console | None) -> Progress:
    """Progress on the given console, else on stderr: stdout is for what a command prints as its result."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        from seedling.progress import PlainProgress

        return PlainProgress(console)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


def run_scorer(scorer, records: list[Record], root: Path | None, console: Console | None = None,
               chunk: int = 256) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every row's values from one scorer (cached ones read, the rest scored), and its summary."""
    settings = scorer.settings()
    cache = ScoreCache(root, settings_key(scorer.name, settings))
    keys = [row_key(r) for r in records]
    found = cache.get(list(dict.fromkeys(keys)))
    todo = list({k: i for i, k in enumerate(keys) if k not in found}.values())  # each new text once, in order
    started = time.perf_counter()
    if hasattr(scorer, "see_pool"):
        scorer.see_pool(records)
    if todo:
        with progress_bar(console) as bar:
            task = bar.add_task(f"{scorer.name}: {len(todo)} rows", total=len(todo))
            chunk = getattr(scorer, "chunk", chunk)
            for start in range(0, len(todo), chunk):
                part = todo[start:start + chunk]
                values = scorer.score([records[i] for i in part], lambda n: bar.advance(task, n))
                new = {keys[i]: v for i, v in zip(part, values)}
                cache.put(new)
                found.update(new)
    seconds = time.perf_counter() - started
    if cache.dir is not None and cache.dir.is_dir():
        (cache.dir / "settings.json").write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")
    values = [found[k] for k in keys]
    if hasattr(scorer, "in_pool"):
        values = scorer.in_pool(values)
        seconds = time.perf_counter() - started
    summary = {"settings": settings, "rows": len(records), "cached": len(records) - len(todo), "scored": len(todo),
               "seconds": round(seconds, 3), "rows_per_s": round(len(todo) / seconds, 2) if todo and seconds else None,
               **scorer.summary(values)}
    return values, summary


def score_pool(records: list[Record], opts, console: Console | None = None, scorers: dict | None = None) -> Scores:
    """Run the scorers `opts` turns on (or the given `{name: scorer}`) over `records`."""
    root = Path(opts.score_cache) if opts.score_cache else cache_dir() / "scores"
    scorers = scorers if scorers is not None else {name: build(name, opts) for name in active(opts)}
    out = Scores([{} for _ in records], [[] for _ in records])
    for name, scorer in scorers.items():
        try:
            values, out.summary[name] = run_scorer(scorer, records, root, console)
        finally:
            if hasattr(scorer, "close"):
                scorer.close()
        for i, value in enumerate(values):
            out.columns[i].update({k: v for k, v in value.items() if v is not None})
            out.flags[i].extend(scorer.flags(value))
    return out

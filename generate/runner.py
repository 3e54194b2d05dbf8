"""One `generate` run: open or resume the run directory, loop teacher batches until --num, write out.

Rows are written to the shards as soon as a batch accepts them and the final file is built
from the shards, so the same command after any interruption continues where it stopped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from seedling.artifacts import GenerateStats, rows_per_1k
from seedling.errors import ConfigError, SeedlingError
from seedling.formats import load, save
from seedling.hashing import file_sha256
from seedling.identity import option_defaults
from seedling.teachers import Sampling, Teacher
from seedling.teachers.protocol import derive_seed
from seedling.teachers.shared import SharedTeacher

from generate.files import DIR, ENGINE_LOG, OUTPUT
from generate.filters import instruction_filters
from generate.methods import METHODS
from generate.methods.common import Tools
from generate.options import RESUMABLE, GenerateOptions
from generate.pool import Pool
from generate.progress import LiveProgress, summary_table
from generate.rundir import RunDir
from generate.similarity import make_index
from generate.steering import load_steering
from generate.tally import Tally

STALL_BATCHES = 20  # batches in a row that accept nothing: the teacher or filters are broken


@dataclass
class Result:
    output: Path
    stats: GenerateStats


def run_config(opts: GenerateOptions, engine: str, seeds: Path | None) -> dict[str, Any]:
    """What decides the output: the options minus RESUMABLE, plus the seed file's and the
    templates' contents (the path of the seed file may change, its content may not), those of
    `steered_method` too: every round of a run directory has one identity."""
    config = {k: v for k, v in opts.model_dump().items() if k not in RESUMABLE}
    config["engine"] = engine
    config["seeds_sha256"] = file_sha256(seeds)[:16] if seeds else None
    config["templates"] = METHODS[opts.method](opts, None).templates
    if opts.steered_method:
        config["steered_templates"] = METHODS[opts.steered_method](opts, None).templates
    return config


def method_of(opts: GenerateOptions) -> str:
    """The method this round runs: `steered_method` in a steered round where one is set."""
    return opts.steered_method if opts.steering and opts.steered_method else opts.method


def methods_named(opts: GenerateOptions) -> str:
    """The run's method as its stats and report name it."""
    return f"{opts.method}, {opts.steered_method} when steered" if opts.steered_method else opts.method


def generate(opts: GenerateOptions, out: Path, *, new_run: bool = False, console: Console | None = None,
             teacher: Teacher | SharedTeacher | None = None) -> Result:
    """Run or resume. A `teacher` from the caller is used and left open (a SharedTeacher is
    built only if rows are missing), so a program can reuse one vLLM engine for several runs."""
    console = console or Console(stderr=True)
    needs_seeds = getattr(METHODS[opts.method], "needs_seeds", True)
    if not opts.seeds and needs_seeds:
        raise ConfigError("no seed tasks: pass --seeds FILE (or generate.seeds in the config)")
    seeds_path = Path(opts.seeds) if opts.seeds else None
    seeds = load(seeds_path).records if seeds_path else []
    shared = (teacher if isinstance(teacher, SharedTeacher)
              else SharedTeacher(opts, console, teacher, log_file=Path(out) / DIR / ENGINE_LOG))
    steering = load_steering(opts.steering) if opts.steering else None
    method = METHODS[method_of(opts)](opts, steering)
    rundir = RunDir(Path(out) / DIR)
    resuming = rundir.open(run_config(opts, shared.engine, seeds_path), new_run,
                           defaults=option_defaults(GenerateOptions))

    pool = Pool(seeds, make_index(opts.similarity, opts.similarity_threshold))
    last_batch = 0
    for row in rundir.rows():
        if row.id not in pool.ids:
            pool.restore(row)
            last_batch = max(last_batch, row.meta.get("batch", 0))
    state = rundir.state()
    tally = Tally.from_dict(state.get("tally", {}))
    if resuming:
        console.print(f"resuming {rundir.root}: {len(pool.generated)} rows accepted so far")

    if len(pool.generated) < opts.num:
        next_batch = max(last_batch, state.get("batch", 0)) + 1
        try:
            _grow(opts, shared, method, rundir, pool, tally, next_batch, console)
        finally:
            if shared is not teacher:
                shared.close()
    return _finish(opts, rundir, pool, tally, console)


def _grow(opts, shared: SharedTeacher, method, rundir: RunDir, pool: Pool, tally: Tally, batch_no: int,
          console: Console) -> None:
    teacher = shared.get()
    state = rundir.state()
    revision = teacher.info.revision
    if state.get("teacher_revision", revision) != revision:
        raise ConfigError(f"{rundir.root}: the teacher's weights changed since this run started "
                          f"({state['teacher_revision']} -> {revision}); use --new-run or another --out")
    sampling = Sampling(opts.temperature, opts.top_p, opts.max_tokens, tuple(opts.stop), opts.seed)
    tools = Tools(teacher, pool, tally, sampling, instruction_filters(opts.min_words, opts.max_words, opts.blocklist),
                opts.max_output_chars, opts.min_quality, method.name, method.templates)
    idle = 0
    start = time.perf_counter()
    try:
        with LiveProgress(console, opts.num) as progress:
            tools.on_request = progress.request_done
            progress.begin(len(pool.generated))
            progress.update(len(pool.generated), tally, batch_no)
            while len(pool.generated) < opts.num:
                if opts.max_batches is not None and tally.batches >= opts.max_batches:
                    console.print(f"stopped at --max-batches {opts.max_batches}")
                    break
                if idle >= STALL_BATCHES:
                    raise SeedlingError(f"{STALL_BATCHES} batches in a row accepted nothing; see the rejection "
                                        f"counts in {rundir.root / 'state.json'}")
                tools.sampling = replace(sampling, seed=derive_seed(opts.seed, batch_no) % 2**31)  # a batch's draw
                rows = method.batch(batch_no, tools, opts.num - len(pool.generated))[: opts.num - len(pool.generated)]
                rundir.append(rows)
                for row in rows:
                    pool.accept(row)
                idle = 0 if rows else idle + 1
                tally.batches += 1
                tally.wall_s += time.perf_counter() - start
                start = time.perf_counter()
                rundir.save_state({"batch": batch_no, "teacher_revision": revision, "engine": shared.engine,
                                   "tally": tally.to_dict()})
                progress.update(len(pool.generated), tally, batch_no)
                batch_no += 1
    finally:
        rundir.close()


def _finish(opts, rundir: RunDir, pool: Pool, tally: Tally, console: Console) -> Result:
    rows = pool.generated[: opts.num]
    output = rundir.root / OUTPUT
    save(rows, output)
    stats = GenerateStats(accepted=len(rows), target=opts.num, batches=tally.batches, method=methods_named(opts),
                          tokens_in=tally.tokens_in, tokens_out=tally.tokens_out,
                          rows_per_1k_tokens=rows_per_1k(len(rows), tally.tokens_out),
                          tokens_per_s=round(tally.tokens_per_s, 1), wall_s=round(tally.wall_s, 1),
                          teacher_s=round(tally.teacher_s, 1), rejected=dict(tally.rejected.most_common()),
                          notes=dict(tally.notes), output=str(output))
    rundir.save_stats(stats)
    console.print(summary_table(stats))
    console.print(f"wrote {len(rows)} rows to {output}")
    return Result(output, stats)

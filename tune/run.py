"""One tune run end to end: data in, adapter + eval out, refusing to mix runs."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from seedling.artifacts import HeldOutNLL, SeedRun, TrainData, TrainFigures, TuneEval
from seedling.formats import load
from seedling.formats.atomic import write_json, write_text
from seedling.identity import claim, option_defaults, settled, stored, upgraded
from seedling.record import Record

from tune.data import dataset_fingerprint, holdout_fraction, sample_rows, split_holdout
from tune.decontaminate import decontaminate
from tune.evaluate import evaluate
from tune.files import ADAPTER, EVAL, METRICS
from tune.options import TuneOptions
from tune.report import eval_markdown, loss_svg, model_card
from tune.train import TuneError, is_main_process, last_checkpoint, leave_process_group, train

IDENTITY_FILE = "tune-config.json"


@dataclass
class Prepared:
    """The rows a run trains and scores on, what was done to get them, and the run's identity."""

    train: list[Record]
    held: list[Record]
    data: TrainData
    identity: dict


def split(data_path: Path, opts: TuneOptions) -> tuple[list[Record], list[Record]]:
    """Training candidates and held-out rows: the eval file, or a split by id hash."""
    records = load(data_path).records
    if any(not r.output for r in records):
        raise TuneError(f"{data_path}: holds prompts without answers (output \"\"); a student learns from "
                        "answers: train on rows that have them")
    if opts.eval_file:
        return records, load(opts.eval_file).records  # rows also in the eval file go in decontamination
    return split_holdout(records, holdout_fraction(len(records), opts.eval_fraction, opts.eval_min_rows), opts.seed)


def prepare(data_path: Path, opts: TuneOptions) -> Prepared:
    """Split, drop training rows that overlap the held-out set (so the evaluation never scores
    what the student saw), then sample `train_rows` of the rest."""
    candidates, held = split(data_path, opts)
    clean = decontaminate(candidates, held, opts.decontaminate_threshold)
    rows = sample_rows(clean.kept, opts.train_rows, opts.seed)
    if not rows:
        raise TuneError(f"{data_path}: no rows left to train on after holding out {len(held)} "
                        f"and removing {len(clean.removed)} that overlap them")
    # The held-out rows are in the identity by content; their file's path is not, so a moved
    # run directory still resumes.
    identity = {"data": dataset_fingerprint(rows), "held_out": dataset_fingerprint(held),
                "options": opts.identity()}
    data = TrainData(path=str(data_path), fingerprint=identity["data"], train_rows=len(rows),
                     train_rows_available=len(clean.kept), train_rows_requested=opts.train_rows,
                     held_out_rows=len(held), removed_as_overlapping_eval=len(clean.removed),
                     decontamination=clean.report())
    return Prepared(rows, held, data, identity)


def _options_and_data(identity: dict) -> dict:
    """What a refusal names: the options that changed, and `data` for the rows."""
    return {**identity["options"], "data": [identity["data"], identity["held_out"]]}


def _upgrade(identity: dict) -> Callable[[dict], dict]:
    """A stored identity with the options it lacks that `identity` holds at their default."""
    options = stored(identity["options"])
    return lambda saved: {**saved, "options": upgraded(saved.get("options", {}), options,
                                                       option_defaults(TuneOptions))}


def finished(out: Path, identity: dict) -> TuneEval | None:
    """The evaluation of the run in `out` when it finished and is this run (the options an
    upgrade added since, at their default, make no other run); else None."""
    path, identity = out / IDENTITY_FILE, stored(identity)
    if not (path.exists() and (out / EVAL).exists()) or settled(path, identity, _upgrade(identity)) != identity:
        return None
    return TuneEval.model_validate_json((out / EVAL).read_text(encoding="utf-8"))


def check_run_dir(out: Path, identity: dict, resume: bool) -> None:
    """Claim `out` for this run (its identity is written there): same config and data, or a new
    --out, never two runs mixed in one directory; this run's checkpoints continue only with --resume."""
    work = bool(last_checkpoint(out / "checkpoints")) or (out / ADAPTER).exists()
    stray = (f"{out} holds checkpoints but no {IDENTITY_FILE}, so not a run this config can resume; "
             "choose an empty directory")
    same = claim(out, IDENTITY_FILE, identity, view=_options_and_data, stray=stray if work else None,
                 upgrade=_upgrade(identity), advice="choose a new --out", error=TuneError)
    if same and work and not resume:
        raise TuneError(f"{out} already holds this run's checkpoints; pass --resume to continue it, "
                        "or choose a new --out")


def training_options(opts: TuneOptions) -> TuneOptions:
    """The options training sees: the first of `seeds` where it is set (the split keeps `seed`)."""
    return opts.model_copy(update={"seed": opts.seeds[0]}) if opts.seeds else opts


def seed_run(seed: int, steps: int, nll: HeldOutNLL) -> SeedRun:
    return SeedRun(seed=seed, steps=steps, nll_per_token=nll.student and nll.student.nll_per_token,
                   per_example={e.id: e.student for e in nll.per_example})


def other_seed(prep: Prepared, out: Path, opts: TuneOptions, seed: int, base_cache: Path | None) -> SeedRun:
    """The same student trained at another seed, in out/seeds/seed-N/, scored by held-out NLL only
    (its replies would cost minutes and say little more); a finished one is read back."""
    sub = out / "seeds" / f"seed-{seed}"
    sub_opts = opts.model_copy(update={"seeds": [seed], "samples": 0, "checks": "off", "merge": False})
    sub_prep = Prepared(prep.train, prep.held, prep.data,
                        {**prep.identity, "options": sub_opts.identity()})
    started = (sub / IDENTITY_FILE).exists()
    done = finished(sub, sub_prep.identity) or run_prepared(sub_prep, sub, sub_opts, resume=started,
                                                             base_cache=base_cache)
    return done.seeds[0]


def run_tune(data_path: Path, out: Path, opts: TuneOptions, resume: bool = False,
             base_cache: Path | None = None) -> TuneEval | None:
    return run_prepared(prepare(data_path, opts), out, opts, resume, base_cache)


def run_prepared(prep: Prepared, out: Path, opts: TuneOptions, resume: bool,
                 base_cache: Path | None = None) -> TuneEval | None:
    """Train and evaluate. Under `accelerate launch` every process trains and the main one
    claims the directory, evaluates and writes; the others return None. `base_cache`: where
    the base model's side of the evaluation is shared with other students (tune/base_cache.py)."""
    main = is_main_process()
    if opts.seeds and len(opts.seeds) > 1 and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise TuneError("tune.seeds trains its seeds one after another in one process; under accelerate launch "
                        "give one seed per launch (tune.seed) instead")
    if main:
        check_run_dir(out, prep.identity, resume)
    if opts.seeds and len(opts.seeds) > 1 and base_cache is None:
        base_cache = out / "seeds" / "base-eval"  # the base model's side, scored once for all seeds

    model, tokenizer, result = train(prep.train, training_options(opts), out, resume)
    if not main:
        leave_process_group()
        return None
    leave_process_group()  # the main process evaluates alone
    ev = evaluate(model, tokenizer, prep.held, opts, base_cache)
    seeds = ([seed_run(opts.seeds[0], result.steps, ev.nll),
              *(other_seed(prep, out, opts, seed, base_cache) for seed in opts.seeds[1:])] if opts.seeds else [])
    summary = TuneEval(data=prep.data, train=TrainFigures(**asdict(result)), seeds=seeds, **dict(ev))
    write_json(out / EVAL, summary.model_dump())
    write_text(out / "eval.md", eval_markdown(summary))
    metrics = [json.loads(line) for line in (out / METRICS).read_text().splitlines() if line.strip()]
    write_text(out / "loss.svg", loss_svg(metrics))
    base = str(model.peft_config["default"].base_model_name_or_path)
    write_text(out / ADAPTER / "README.md", model_card(base, summary, opts))
    if opts.merge:
        from seedling.formats.atomic import atomic_dir

        merged = model.merge_and_unload()
        with atomic_dir(out / "merged") as tmp:
            merged.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
    return summary

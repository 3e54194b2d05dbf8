"""One tune run end to end: data in, adapter + eval out, refusing to mix runs."""

from __future__ import annotations

import json
from pathlib import Path

from seedling.formats import load
from seedling.record import Record
from tune.data import dataset_fingerprint, split_holdout
from tune.evaluate import evaluate
from tune.options import TuneOptions
from seedling.formats.atomic import write_json, write_text
from tune.report import eval_markdown, loss_svg, model_card
from tune.train import TuneError, last_checkpoint, train

IDENTITY_FILE = "tune-config.json"


def split(data_path: Path, opts: TuneOptions) -> tuple[list[Record], list[Record], int]:
    """Train and held-out rows; with an eval file, training rows identical to an eval row are
    dropped (counted), so the evaluation never scores what the student saw."""
    records = load(data_path).records
    if opts.eval_file:
        held = load(opts.eval_file).records
        held_ids = {r.id for r in held}
        train_rows = [r for r in records if r.id not in held_ids]
        return train_rows, held, len(records) - len(train_rows)
    train_rows, held = split_holdout(records, opts.eval_fraction, opts.seed)
    return train_rows, held, 0


def check_run_dir(out: Path, identity: dict, resume: bool) -> None:
    """Same config and data, or a new --out: never silently mix two runs in one directory."""
    path = out / IDENTITY_FILE
    if not path.exists():
        return
    before = json.loads(path.read_text(encoding="utf-8"))
    if before != identity:
        changed = sorted(k for k in set(before["options"]) | set(identity["options"])
                         if before["options"].get(k) != identity["options"].get(k))
        if before["data"] != identity["data"] or before["held_out"] != identity["held_out"]:
            changed.append("data")
        raise TuneError(f"{out} holds a run with a different config (changed: {', '.join(changed)}); "
                        "choose a new --out")
    if not resume and (last_checkpoint(out / "checkpoints") or (out / "adapter").exists()):
        raise TuneError(f"{out} already holds this run's checkpoints; pass --resume to continue it, "
                        "or choose a new --out")


def run_tune(data_path: Path, out: Path, opts: TuneOptions, resume: bool = False) -> dict:
    train_rows, held, overlap = split(data_path, opts)
    if not train_rows:
        raise TuneError(f"{data_path}: no rows left to train on after holding out {len(held)}")
    identity = {"data": dataset_fingerprint(train_rows), "held_out": dataset_fingerprint(held),
                "options": opts.model_dump()}
    check_run_dir(out, identity, resume)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / IDENTITY_FILE, identity)

    model, tokenizer, result = train(train_rows, opts, out, resume)
    ev = evaluate(model, tokenizer, held, opts)
    data = {"path": str(data_path), "fingerprint": identity["data"], "train_rows": len(train_rows),
            "held_out_rows": len(held), "removed_as_overlapping_eval": overlap}
    summary = {"data": data, "train": result.__dict__, **ev}
    write_json(out / "eval.json", summary)
    write_text(out / "eval.md", eval_markdown(ev))
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line.strip()]
    write_text(out / "loss.svg", loss_svg(metrics))
    base = str(model.peft_config["default"].base_model_name_or_path)
    write_text(out / "adapter" / "README.md", model_card(base, data, opts.model_dump(), result.__dict__, ev))
    if opts.merge:
        from seedling.formats.atomic import atomic_dir

        merged = model.merge_and_unload()
        with atomic_dir(out / "merged") as tmp:
            merged.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
    return summary

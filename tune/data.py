"""Records into what TRL trains on, and a held-out split that does not depend on row order."""

from __future__ import annotations

import random
from typing import Any

from seedling.hashing import bucket
from seedling.nll import chat_prompt
from seedling.record import Record
from seedling.text import text_hash


def to_prompt_completion(record: Record) -> dict[str, Any]:
    """TRL's conversational prompt-completion rows: the trainer applies the student's chat
    template and computes the loss on the completion only."""
    return {
        "prompt": chat_prompt(record),
        "completion": [{"role": "assistant", "content": record.output}],
    }


MAX_HELD_SHARE = 1 / 3  # eval_min_rows never holds out more than this share of a small file


def holdout_fraction(rows: int, fraction: float, min_rows: int) -> float:
    """`fraction`, raised where it holds out fewer than `min_rows` rows, up to MAX_HELD_SHARE."""
    if fraction <= 0 or not rows or fraction * rows >= min_rows:
        return fraction
    return max(fraction, min(MAX_HELD_SHARE, min_rows / rows))


def split_holdout(records: list[Record], fraction: float, seed: int) -> tuple[list[Record], list[Record]]:
    if fraction <= 0:
        return records, []
    # By id: a record lands on the same side in every run, however the file is ordered or filtered.
    train = [r for r in records if bucket(r.id, seed) >= fraction]
    held = [r for r in records if bucket(r.id, seed) < fraction]
    return train, held


def sample_rows(records: list[Record], n: int | None, seed: int) -> list[Record]:
    """`n` rows drawn by `seed`, in file order: two runs that must train on the same number of
    rows (curated vs raw) get a fixed, reproducible subset. Fewer rows than `n`: all of them."""
    if n is None or n >= len(records):
        return list(records)
    picked = sorted(random.Random(seed).sample(range(len(records)), n))
    return [records[i] for i in picked]


def dataset_fingerprint(records: list[Record]) -> str:
    """Hash of the ids in order: names exactly which data a model was trained on."""
    return text_hash("\n".join(r.id for r in records))[:16]

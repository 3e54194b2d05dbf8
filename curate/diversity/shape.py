"""Instruction shape: leading verb, task type, length distributions, share with input.

The leading verb is the first word after polite openers ("please", "can you"); no tagger is
used (none ships offline), so a question word counts as its own "verb". Task types map the
leading word through the table below; anything else is "other".
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from curate.diversity.scores import WordIds
from seedling.text import words
from seedling.record import TEXT_FIELDS, Record
from seedling.stats import length_summary

HEAD = 8  # an instruction's first words its leading word is looked for in
OPENERS = {"please", "kindly", "now", "can", "could", "would", "will", "you", "i", "want", "need", "help", "me", "to"}
TASK_TYPES = {
    "generation": "write generate create compose draft design come make invent suggest brainstorm",
    "explanation": "explain describe tell discuss elaborate define outline",
    "classification": "classify categorize categorise identify detect determine decide label is are does do tag",
    "rewriting": "rewrite paraphrase edit correct fix improve translate convert change rephrase simplify",
    "extraction": "extract find list give name select pick",
    "summarization": "summarize summarise condense",
    "question": "what how why who when which where",
    "math_code": "calculate compute solve implement code program evaluate sort count",
    "comparison": "compare contrast rank order",
}
TYPE_OF = {w: t for t, ws in TASK_TYPES.items() for w in ws.split()}


def leading_counts(read: WordIds) -> Counter:
    """How many texts have each leading word, in order of first appearance: the first of a text's
    first HEAD words that is not a polite opener, else its first word ("" for an empty text).
    In numpy: a Python list a text took 2 s at 500K rows."""
    lengths = np.minimum(np.diff(read.offsets), HEAD)
    at = read.offsets[:-1, None] + np.arange(HEAD)
    held = np.arange(HEAD) < lengths[:, None]
    ids = np.where(held, read.ids[np.minimum(at, max(len(read.ids) - 1, 0))] if len(read.ids) else -1, -1)
    opener = np.array([w in OPENERS for w in read.vocab] + [False], dtype=bool)  # -1: no word
    spoken = held & ~opener[ids]
    lead = np.where(spoken.any(axis=1), ids[np.arange(len(ids)), spoken.argmax(axis=1)], ids[:, 0])
    words_, first, counts = np.unique(lead, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    pairs = zip(words_[order].tolist(), counts[order].tolist())
    return Counter({(read.vocab[w] if w >= 0 else ""): int(c) for w, c in pairs})


def histogram(values: list[int], bins: int = 30) -> dict:
    if not values:
        return {"edges": [], "counts": []}
    counts, edges = np.histogram(values, bins=bins)
    return {"edges": [round(float(e), 1) for e in edges], "counts": counts.tolist()}


def summarize(records: list[Record], instruction_words: WordIds | None = None,
              read_lengths: dict[str, np.ndarray] | None = None) -> dict:
    """`instruction_words`: the instructions' words, if already read (scores.WordIds);
    `read_lengths`: per field, each row's words where known already (-1: read it here)."""
    read = instruction_words or WordIds([r.instruction for r in records])
    verbs = leading_counts(read)
    types = Counter()
    for verb, count in verbs.items():  # in order of first appearance, as a count over the rows would be
        types[TYPE_OF.get(verb, "other")] += count
    lengths = {}
    known = {"instruction": np.diff(read.offsets), **(read_lengths or {})}
    for name in TEXT_FIELDS:  # over rows that have the field, so missing inputs are not a spike at 0
        given = known.get(name, np.full(len(records), -1)).tolist()
        counts = [given[i] if given[i] >= 0 else len(words(getattr(r, name)))
                  for i, r in enumerate(records) if getattr(r, name).strip()]
        lengths[name] = {"words": length_summary(counts), "histogram": histogram(counts)}
    n = len(records)
    return {
        "leading_verbs": dict(verbs.most_common(25)),
        "distinct_leading_verbs": len(verbs),
        "task_types": dict(types.most_common()),
        "task_type_rule": "leading word mapped through a fixed table (curate/diversity/shape.py)",
        "lengths": lengths,
        "with_input": sum(bool(r.input.strip()) for r in records),
        "with_input_share": round(sum(bool(r.input.strip()) for r in records) / n, 4) if n else 0.0,
    }

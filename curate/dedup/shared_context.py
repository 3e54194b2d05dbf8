"""Same context is not same task: rows whose prompts hold one passage (inside the
instruction, the input or a chat's first turn) but ask different things are distinct examples
(reading comprehension, QA over one document). They are reported as groups so a person sees
them, never removed for sharing the passage.

A row's passage is its longest run of at least `CONTEXT_WORDS` words covered by 3-grams that
other prompts hold too, template wording aside; rows are grouped by the 3-gram inside that run
(its seams with the template left out) that comes first in a fixed random order: every row
holding the passage holds that one too.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pandas as pd

from curate import parallel
from curate.dedup.grams import GRAM, gram_ids, member
from curate.dedup.lsh import mix
from curate.dedup.prompts import CONTEXT_WORDS, Anatomy, Prompt
from seedling.text import preview

SEAM = GRAM  # grams at each end of a run, where the passage meets the template
BLOCK_ROWS = 50_000
ROWS_A_CORE = 5000  # fewer rows than this a core are read here: a fork costs more


def passages(anatomy: Anatomy, rows: list[int]) -> Iterator[tuple[int, np.ndarray, tuple[int, int]]]:
    """(row, its 3-gram ids, word span [start, end) of its passage) for each of `rows` (in
    order) that holds a passage. The grams' flags, the words they cover and the runs of covered
    words are found a block of rows at a time from the flat token array, never a row at a time;
    a run of CONTEXT_WORDS covered words needs at least CONTEXT_WORDS / GRAM shared grams (each
    covers GRAM words), so only the rows that have that many are looked at."""
    offsets = anatomy.offsets
    wanted = np.zeros(len(anatomy), dtype=bool)
    wanted[rows] = True
    first, end = (min(rows), max(rows) + 1) if rows else (0, 0)
    for a in range(first, end, BLOCK_ROWS):
        b = min(a + BLOCK_ROWS, end)
        base, lengths = offsets[a], np.diff(offsets[a:b + 1])
        if offsets[b] - base < GRAM:
            continue
        grams = gram_ids(anatomy.tokens[base:offsets[b]])  # also the grams across two rows' seam
        row = np.repeat(np.arange(b - a), lengths)[:len(grams)]
        inside = np.arange(len(grams)) + GRAM - 1 < (offsets[a + 1:b + 1] - base)[row]
        shared = inside & pd.Series(grams).isin(anatomy.grams).to_numpy() & ~member(grams, anatomy.boilerplate)
        enough = np.bincount(row[shared], minlength=b - a) >= -(-CONTEXT_WORDS // GRAM)
        starts = offsets[a:b] - base
        for r, s, e in _longest_runs(shared & (enough & wanted[a:b])[row], starts, lengths):
            n = int(lengths[r])
            yield a + r, grams[starts[r]:starts[r] + n - GRAM + 1], (s, e)


def _longest_runs(flags: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> list[tuple[int, int, int]]:
    """(row, start, end) of each row's first longest run of words covered by flagged grams (gram
    k of the block covers words k..k+2), for the rows whose run is a passage's length."""
    covered = np.zeros(len(flags) + GRAM - 1, dtype=bool)
    for k in range(GRAM):
        covered[k:k + len(flags)] |= flags
    filled = lengths > 0
    before = np.concatenate(([False], covered[:-1]))
    before[starts[filled]] = False  # a run does not go on from the row before
    after = np.concatenate((covered[1:], [False]))
    after[(starts + lengths - 1)[filled]] = False
    run_starts, run_ends = np.flatnonzero(covered & ~before), np.flatnonzero(covered & ~after) + 1
    run_rows = np.searchsorted(starts, run_starts, side="right") - 1
    order = np.lexsort((run_starts, run_starts - run_ends, run_rows))  # by row, longest first, then first
    best = order[np.concatenate(([True], run_rows[order][1:] != run_rows[order][:-1]))] if len(order) else order
    best = best[run_ends[best] - run_starts[best] >= CONTEXT_WORDS]
    local = starts[run_rows[best]]
    return list(zip(run_rows[best].tolist(), (run_starts[best] - local).tolist(), (run_ends[best] - local).tolist()))


def passage_key(grams: np.ndarray) -> int:
    """The smallest hash of a passage's grams. Every bit of a gram id counts: the low bits of a
    packed id hold only its last tokens, so keeping those merged passages that share none."""
    return int(mix(grams).min())


class Passages:
    """Each row's passage, found once over all rows (the pass over every prompt's 3-grams is
    the cost, spread over the cores in contiguous runs of rows); groups among any subset of the
    rows are built from it, so the bias step (all rows) and dedup's audit (the kept rows) share
    one pass."""

    def __init__(self, anatomy: Anatomy, rows: list[int] | None = None):
        self.anatomy = anatomy
        rows = list(range(len(anatomy))) if rows is None else sorted(rows)
        parts = parallel.chunks(lambda start, stop: _found(anatomy, rows[start:stop]), len(rows), ROWS_A_CORE)
        self.found = [f for part in parts for f in part]

    def groups(self, among: set[int] | None = None) -> list[dict]:
        """Groups of the rows in `among` (all found rows when None) that share a passage but ask
        different things, largest first, then in order of their first row."""
        anatomy, groups = self.anatomy, {}
        for i, key, span in self.found:
            if among is None or i in among:
                group = groups.setdefault(key, {"rows": [], "span": {}})
                group["rows"].append(i)
                group["span"][i] = span
        out = []
        for g in groups.values():
            rows = g["rows"]
            questions = {anatomy.keys[i] for i in rows}
            if len(rows) > 1 and len(questions) > 1:
                first = rows[0]
                s, e = g["span"][first]
                out.append({"rows": rows, "distinct_prompts": len(questions),
                            "distinct_answers": len({anatomy.answer_keys[i] for i in rows}),
                            "passage_words": e - s,
                            "passage_preview": " ".join(anatomy.prompts[first].words[s:s + 30]),
                            "spans": g["span"]})
        return sorted(out, key=lambda g: -len(g["rows"]))

    def asks(self, group: dict, limit: int) -> list[str]:
        """What the group's first `limit` rows ask beside the passage (read only for the groups
        the audit quotes: building every row's words cost more than finding the passages)."""
        return [_rest(self.anatomy.prompts[i], group["spans"][i]) for i in group["rows"][:limit]]


def _found(anatomy: Anatomy, rows: list[int]) -> list[tuple[int, int, tuple[int, int]]]:
    return [(i, _group_key(ids, span), span) for i, ids, span in passages(anatomy, rows)]


def _group_key(ids: np.ndarray, span: tuple[int, int]) -> int:
    """The key of the passage inside `span`, its seams with the template left out."""
    inner = ids[span[0] + SEAM:span[1] - GRAM + 1 - SEAM]
    return passage_key(inner if len(inner) else ids[span[0]:span[1] - GRAM + 1])


def shared_context_groups(anatomy: Anatomy, rows: list[int]) -> list[dict]:
    """Groups among `rows` (the rows dedup kept: a copy does not ask a different thing)."""
    return Passages(anatomy, rows).groups()


def _rest(p: Prompt, span: tuple[int, int], width: int = 120) -> str:
    """What the row asks beside the passage, template wording left out where anything else is left."""
    outside = [k for k in range(len(p.words)) if not span[0] <= k < span[1]]
    asks = [p.words[k] for k in outside if not p.template[k]] or [p.words[k] for k in outside]
    return preview(" ".join(asks), width)

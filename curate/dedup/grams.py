"""Word 3-grams as integers: three token ids packed in an int64, the grams that distinct prompts
share (counted in hash partitions spilled to disk past a size), and the flat id sets of many
rows at once that the LSH tiers hash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from curate.dedup.lsh import mix
from seedling.distinct import distinct


GRAM = 3
TOKEN_BITS = 21  # three token ids to an int64; past 2M distinct tokens ids wrap (rare collisions)
TOKEN_MASK = (1 << TOKEN_BITS) - 1
PARTITION_GRAMS = 20_000_000  # 3-grams counted at once (160 MB)
BLOCK_ROWS = 20_000
SCATTER = 0x9E3779B97F4A7C15  # spreads gram ids over the partitions


def gram_ids(token_ids) -> np.ndarray:
    """3-grams as one int64 each (three token ids of 21 bits); a text shorter than three
    tokens is one gram of what it has."""
    t = np.asarray(token_ids, dtype=np.int64) & TOKEN_MASK
    if len(t) < GRAM:
        t = np.concatenate((t, np.full(GRAM - len(t), TOKEN_MASK))) if len(t) else t
    return (t[:-2] << (2 * TOKEN_BITS)) | (t[1:-1] << TOKEN_BITS) | t[2:]


def member(ids: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Per id: whether the sorted array holds it (np.isin without its sort, for short arrays)."""
    if not len(ranked):
        return np.zeros(len(ids), dtype=bool)
    return ranked[np.minimum(np.searchsorted(ranked, ids), len(ranked) - 1)] == ids


def cover(gram_flags: np.ndarray, n_words: int) -> np.ndarray:
    """Per word: whether any 3-gram holding it is flagged."""
    out = np.zeros(n_words, dtype=bool)
    for k in range(min(GRAM, n_words)):
        out[k:k + len(gram_flags)] |= gram_flags[:n_words - k]
    return out


def _held(toks: np.ndarray, offs: np.ndarray, rows: list[int]) -> np.ndarray:
    """The distinct 3-grams of each of `rows`, concatenated (a gram a row holds twice, once).
    A sort of (gram, row) hashes finds the few pairs that may repeat; only those are compared
    exactly, instead of a sort a row."""
    bounds, grams = gram_sets(toks, offs, np.asarray(rows, dtype=np.int64))
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(bounds))
    pair = mix(grams) + mix(owner)
    ordered = np.sort(pair)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(twice):
        return grams
    maybe = np.flatnonzero(member(pair, distinct(twice)))
    again = maybe[pd.DataFrame({"gram": grams[maybe], "row": owner[maybe]}).duplicated().to_numpy()]
    keep = np.ones(len(grams), dtype=bool)
    keep[again] = False
    return grams[keep]


def _counted(held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grams held two or more times, sorted, and how many times each (numpy 2.3's
    `np.unique` with counts hashes, 4x slower than a sort on mostly distinct grams)."""
    ordered = np.sort(held)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    df = np.diff(np.concatenate((starts, [len(ordered)])))
    return ordered[starts[df >= 2]], df[df >= 2]


def shared_grams(toks: np.ndarray, offs: np.ndarray, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The 3-grams that two or more of `rows` hold, and how many hold each. Past
    `PARTITION_GRAMS` grams they are spread over hash partitions in temporary files and
    counted one partition at a time, so memory holds one partition, never every gram."""
    parts = max(1, -(-int(offs[-1]) // PARTITION_GRAMS))
    if parts == 1:
        return _counted(np.concatenate([_held(toks, offs, rows[a:a + BLOCK_ROWS])
                                        for a in range(0, len(rows), BLOCK_ROWS)] or [np.zeros(0, np.int64)]))
    found_grams, found_df = [], []
    with tempfile.TemporaryDirectory(prefix="seedling-grams-") as tmp:
        files = [open(Path(tmp) / f"{k}.bin", "wb") for k in range(parts)]
        for start in range(0, len(rows), BLOCK_ROWS):
            block = _held(toks, offs, rows[start:start + BLOCK_ROWS])
            part = (block.view(np.uint64) * np.uint64(SCATTER) >> np.uint64(40)) % np.uint64(parts)
            order = np.argsort(part, kind="stable")
            bounds = np.searchsorted(part[order], np.arange(parts + 1, dtype=np.uint64))
            for k in range(parts):
                block[order[bounds[k]:bounds[k + 1]]].tofile(files[k])
        for f in files:
            f.close()
        for k in range(parts):
            grams, df = _counted(np.fromfile(Path(tmp) / f"{k}.bin", dtype=np.int64))
            found_grams.append(grams)
            found_df.append(df)
    grams, df = np.concatenate(found_grams), np.concatenate(found_df)
    order = np.argsort(grams)
    return grams[order], df[order]




def ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions of the ranges [start, start + length) end to end, and the offsets of
    each range's part in them."""
    lengths = np.asarray(lengths, dtype=np.int64)
    bounds = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    owner = np.repeat(np.arange(len(lengths)), lengths)
    return np.asarray(starts, dtype=np.int64)[owner] + np.arange(int(bounds[-1])) - bounds[:-1][owner], bounds


def spans(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`ranges` of the rows' segments [offsets[r], offsets[r + 1])."""
    rows = np.asarray(rows, dtype=np.int64)
    return ranges(offsets[rows], offsets[rows + 1] - offsets[rows])


def gram_sets(tokens: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, ids): each row's 3-gram ids, as `gram_ids` gives them, end to end."""
    rows = np.asarray(rows, dtype=np.int64)
    lengths = offsets[rows + 1] - offsets[rows]
    padded = np.where(lengths > 0, np.maximum(lengths, GRAM), 0)  # gram_ids pads a short text to one gram
    base = np.concatenate(([0], np.cumsum(padded))).astype(np.int64)
    flat = np.full(int(base[-1]) + GRAM - 1, TOKEN_MASK, dtype=np.int64)
    at, _ = spans(offsets, rows)
    flat[ranges(base[:-1], lengths)[0]] = tokens[at] & TOKEN_MASK
    grams = (flat[:-2] << (2 * TOKEN_BITS)) | (flat[1:-1] << TOKEN_BITS) | flat[2:]
    keep, bounds = ranges(base[:-1], np.maximum(padded - (GRAM - 1), 0))
    return bounds, grams[keep]

"""ROUGE-L as the Self-Instruct paper uses it: generate's near-duplicate checks and the engines'
stop for a task list whose items repeat (seedling.teachers.loops) share it.

Tokens follow rouge-score's default tokenizer (lowercase, runs of [a-z0-9], no stemmer), and
the score is its F-measure of the longest common subsequence. The LCS is computed
bit-parallel (Hyyro 2004: one big-integer add per token of the other text), so one pair costs
microseconds; the all-pairs check is still O(pool) per candidate, O(n^2) for a run, which is
why generate's all-pairs check is the comparison option and not the default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def bitmasks(toks: list[str]) -> dict[str, int]:
    masks: dict[str, int] = {}
    for i, t in enumerate(toks):
        masks[t] = masks.get(t, 0) | (1 << i)
    return masks


def lcs_length(a_masks: dict[str, int], a_len: int, b: list[str]) -> int:
    full = (1 << a_len) - 1
    v = full
    for t in b:
        u = v & a_masks.get(t, 0)
        v = ((v + u) | (v - u)) & full
    return a_len - v.bit_count()


def near_any(cand: list[str], others: Iterable[list[str]], threshold: float) -> bool:
    """Whether any of `others` reaches ROUGE-L F1 >= `threshold` with `cand`."""
    if not cand:
        return False
    masks, n = bitmasks(cand), len(cand)
    for other in others:
        if not other:
            continue
        lcs = lcs_length(masks, n, other)
        if lcs and 2 * lcs / (n + len(other)) >= threshold:  # F1 of P=lcs/n, R=lcs/m
            return True
    return False

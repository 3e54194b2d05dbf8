"""Degenerate loops: most of the output's word 3-grams are repeats of earlier ones."""

from seedling.quality.read import words

MIN_WORDS = 30
MAX_REPEATED_SHARE = 0.5


def repetitive(r) -> bool:
    ws = words(r.output)
    if len(ws) < MIN_WORDS:
        return False
    grams = len(ws) - 2
    if len(set(ws)) - 2 >= (1 - MAX_REPEATED_SHARE) * grams:  # each distinct word but the last two starts
        return False  # a distinct 3-gram: the repeated share cannot pass MAX_REPEATED_SHARE
    return 1 - len(set(zip(ws, ws[1:], ws[2:]))) / grams > MAX_REPEATED_SHARE

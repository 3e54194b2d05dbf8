"""Outputs with nothing in them, or so long they are likely runaway generations. A short output
is not flagged: "D", "1" or "yes" are right answers to classification tasks."""

import re

from seedling.quality.read import words

MAX_WORDS = 2000
_ALNUM = re.compile(r"[^\W_]")  # a character str.isalnum() accepts


def no_content(r) -> bool:
    return _ALNUM.search(r.output) is None


def too_long(r) -> bool:
    return len(words(r.output)) > MAX_WORDS

"""Outputs with nothing in them, or so long they are likely runaway generations. A short output
is not flagged: "D", "1" or "yes" are right answers to classification tasks."""

from curate.quality.read import words

MAX_WORDS = 2000


def no_content(r) -> bool:
    return not any(ch.isalnum() for ch in r.output)


def too_long(r) -> bool:
    return len(words(r.output)) > MAX_WORDS

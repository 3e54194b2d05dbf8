"""A text's words and normal form, read once for all the checks of a row: four checks read the
output, and reading it was most of their time (20K built rows: 5.5 regex passes a row)."""

from __future__ import annotations

import functools

from seedling.text import words as _words


@functools.lru_cache(maxsize=8)  # one row's texts: the checks of a row run one after another
def words(text: str) -> tuple[str, ...]:
    return tuple(_words(text))


def normalize(text: str) -> str:
    """seedling.text.normalize of `text`."""
    return " ".join(words(text))

"""A text's words and normal form, read once for all the checks of a row: four checks read the
output, and reading it was most of their time (20K built rows: 5.5 regex passes a row)."""

from __future__ import annotations

import functools
import re

from seedling.text import words as _words

_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")  # what seedling.text reads as a word, in an ASCII text


@functools.lru_cache(maxsize=8)  # one row's texts: the checks of a row run one after another
def words(text: str) -> tuple[str, ...]:
    return tuple(_words(text))


@functools.lru_cache(maxsize=8)
def normalize(text: str) -> str:
    """seedling.text.normalize of `text`."""
    return " ".join(words(text))


def first_word(text: str) -> str | None:
    """The first word of normalize(text), read without reading the rest of the text; None where
    the text is not ASCII (its normal form can change its first word)."""
    if not text.isascii():
        return None
    first = _ASCII_WORD.search(text)
    return first.group().lower() if first else ""


def normalizes_to(text: str, normal: str) -> bool:
    """normalize(text) == normal. An ASCII text whose first word is not `normal`'s (most) is
    settled there, without reading the rest of it."""
    first = first_word(text)
    if first is not None and first != normal.partition(" ")[0]:
        return False
    return normalize(text) == normal

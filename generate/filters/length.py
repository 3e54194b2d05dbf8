"""Length bounds in words: the paper keeps instructions of more than 3 and at most 150 words."""

from __future__ import annotations

from generate.filters.protocol import Origin


class LengthBounds:
    def __init__(self, min_words: int = 4, max_words: int = 150):
        self.min_words, self.max_words = min_words, max_words

    def __call__(self, text: str, origin: Origin) -> str | None:
        n = len(text.split())
        if n < self.min_words:
            return "too_short"
        if n > self.max_words:
            return "too_long"
        return None

"""Leading punctuation or a non-text start: list debris, code fences, stray symbols."""

from __future__ import annotations

from generate.filters.protocol import Origin


class NonText:
    def __call__(self, text: str, origin: Origin) -> str | None:
        first = text[:1]
        if not first.isalnum():
            return "leading_punctuation"
        if not first.isascii():
            return "non_english_start"
        visible = [c for c in text if not c.isspace()]
        if sum(c.isalpha() for c in visible) < len(visible) / 2:  # symbols, numbers, code debris
            return "mostly_non_text"
        return None

"""Online filters for candidate instructions, applied in order; the first reason wins.

A new filter is one small module plus one line in `instruction_filters`. The near-duplicate
check is not here: it needs the whole pool, so it lives in generate.similarity.
"""

from __future__ import annotations

from generate.filters.blocklist import Blocklist
from generate.filters.echo import Echo
from generate.filters.length import LengthBounds
from generate.filters.nontext import NonText
from generate.filters.protocol import Filter, Origin

__all__ = ["Filter", "Origin", "instruction_filters", "first_rejection"]


def instruction_filters(min_words: int, max_words: int, blocklist: tuple[str, ...] | None) -> list[Filter]:
    return [
        NonText(),
        LengthBounds(min_words, max_words),
        Blocklist() if blocklist is None else Blocklist(tuple(blocklist)),
        Echo(),
    ]


def first_rejection(filters: list[Filter], text: str, origin: Origin) -> str | None:
    for check in filters:
        reason = check(text, origin)
        if reason:
            return reason
    return None

"""Tasks a text-only model cannot do (the Self-Instruct paper's keyword list), and programs."""

from __future__ import annotations

import re

from generate.filters.protocol import Origin

PAPER_KEYWORDS = ("image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps",
                  "draw", "plot", "go to", "video", "audio", "music", "flowchart", "diagram")
PAPER_PREFIXES = ("write a program",)


class Blocklist:
    def __init__(self, keywords: tuple[str, ...] = PAPER_KEYWORDS, prefixes: tuple[str, ...] = PAPER_PREFIXES):
        words = "|".join(re.escape(k.lower()) for k in keywords)
        self.pattern = re.compile(rf"\b(?:{words})\b") if keywords else None
        self.prefixes = tuple(p.lower() for p in prefixes)

    def __call__(self, text: str, origin: Origin) -> str | None:
        lower = text.lower()
        if self.pattern is not None and self.pattern.search(lower):
            return "blocklisted_keyword"
        if lower.startswith(self.prefixes):
            return "blocklisted_prefix"
        return None

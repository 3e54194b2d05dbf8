"""Parse teacher output: task lists, and "Input: ... Output: ..." instances.

Small teachers are sloppy, so parsing is lenient about numbering style and markers but never
guesses: text it cannot read is reported as unparsable and counted.
"""

from __future__ import annotations

import re

from seedling.text import NUMBERED_ITEM

BULLET = re.compile(r"(?m)^[ \t]*[-*\u2022][ \t]+")
BLANK_LINE = re.compile(r"\n[ \t]*\n")
LABEL = re.compile(r"^(?:instruction|task|new task|prompt)\s*:\s*", re.IGNORECASE)
INPUT = re.compile(r"^\W*input\W*:", re.IGNORECASE | re.MULTILINE)
OUTPUT = re.compile(r"^\W*output\W*:", re.IGNORECASE | re.MULTILINE)
NO_INPUT = {"<noinput>", "<no input>", "noinput", "none", "n/a", "<none>", "no input", "-"}


def clean(text: str) -> str:
    text = LABEL.sub("", " ".join(text.split()))
    return text.strip().strip("\"'`*").strip()


def list_items(text: str, cut_off: bool) -> list[str]:
    """The items of a numbered list (or, where nothing is numbered, a bulleted one: asked for
    numbers, small teachers still answer with bullets now and then), each up to its first
    blank line: a small teacher often adds a remark or a second copy of the list after the
    last item, which is no part of it. When generation hit the token limit, the last item may
    be cut mid-sentence, so it is dropped (as the Self-Instruct code does) unless a blank
    line already closed it."""
    pieces = NUMBERED_ITEM.split(text)
    if len(pieces) < 2:
        pieces = BULLET.split(text)
    if len(pieces) < 2:
        return []
    closed = bool(BLANK_LINE.search(pieces[-1]))
    items = [clean(BLANK_LINE.split(p.strip("\n"), maxsplit=1)[0]) for p in pieces[1:]]
    if cut_off and not closed:
        items = items[:-1]
    return [i for i in items if i]


def instance(text: str) -> tuple[str, str] | None:
    """(input, output) from an answer. Without an "Output:" marker the whole text is the output
    (instructions that need no input are often answered directly); an "Input:" with no
    "Output:" after it is unreadable."""
    out = OUTPUT.search(text)
    inp = INPUT.search(text)
    if out is None:
        if inp is not None:
            return None
        return "", text.strip()
    output = text[out.end():].strip()
    given = text[inp.end():out.start()].strip() if inp is not None and inp.start() < out.start() else ""
    if given.lower() in NO_INPUT:
        given = ""
    return given, output


def rewritten(text: str) -> str:
    """An evolved prompt: the first paragraph block after any "Rewritten prompt:" style label."""
    text = re.sub(r"(?i)^\W*(?:#?\s*)?(rewritten|new|created)\s+prompt\s*#?\s*:\s*", "", text.strip())
    return text.strip().strip("\"'`").strip()

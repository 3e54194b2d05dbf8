"""A completion caught in a loop: its tail is one block of text written again and again.

A small teacher at a moderate temperature often falls into a loop (the same sentence, line,
emoji or code fence over and over) and writes it until max_tokens: on the demo's
SmolLM2-135M teacher five of six answers cut off at the token limit were such loops. Every
token after the loop starts is paid for and the text is rejected anyway, so an engine that
sees the text as it grows stops the request as soon as its tail repeats (finish reason
"repeats").

A list of tasks goes round differently: item after item a near copy of the one before
("Write a function that takes a list of integers and returns ..." six times over), each of
which the near-duplicate filter then rejects. A request that asks for distinct items stops
as soon as a finished item is a near copy of an earlier one.
"""

from __future__ import annotations

import re

from seedling.rouge import near_any, tokens
from seedling.text import NUMBERED_ITEM

MIN_REPEATS = 3  # an input quoted once in the answer is two copies, not a loop
MIN_SPAN = 64  # characters the repeats cover: a row of 40 "=" is a rule, not a loop
MAX_BLOCK = 200  # longest block checked; the tail this needs is MAX_BLOCK * MIN_REPEATS
MIN_LETTERS = 8  # a block that differs only in its numbers must hold words: "3, 17, 42, ..." is a list
NUMBER = re.compile(r"\d+")
CHECK_EVERY = 8  # tokens between checks of a growing completion
NEAR_ITEM = 0.7  # ROUGE-L F1 at which Self-Instruct's filter rejects a task as a near duplicate


def stuck(text: str, distinct_items: bool = False) -> bool:
    """Whether a growing completion should stop: its tail loops, or (for a request that asks for
    distinct items) its newest finished item repeats an earlier one."""
    return repeats(text) or (distinct_items and repeated_item(text))


def repeated_item(text: str) -> bool:
    """Whether the last finished item of a numbered list (one the next item's number follows)
    is a near copy of an earlier item. The text before the first number counts as an item: a
    continued list starts inside its first one."""
    finished = [tokens(piece) for piece in NUMBERED_ITEM.split(text)[:-1]]
    return len(finished) > 1 and near_any(finished[-1], finished[:-1], NEAR_ITEM)


def repeats(text: str) -> bool:
    """Whether the text ends in at least MIN_REPEATS copies of one block, covering at least
    MIN_SPAN characters; or of one line-sized block that differs only in its numbers (a
    loop that counts: "Output: 7. I will give you 8 tasks.", "Output: 8. I will ...") and
    holds some words, so a long list of numbers is no loop."""
    return _periodic(text, 0) or _periodic(NUMBER.sub("#", text), MIN_LETTERS)


def _periodic(text: str, letters: int) -> bool:
    for block in range(1, min(MAX_BLOCK, len(text) // MIN_REPEATS) + 1):
        copies = max(MIN_REPEATS, -(-MIN_SPAN // block))
        if copies * block > len(text):
            continue
        if text[-1 - block] != text[-1]:  # the last character does not recur a block back: no repeat
            continue
        tail = text[-block:]
        if all(text[-(k + 1) * block: -k * block] == tail for k in range(1, copies)) and (
                not letters or sum(ch.isalpha() for ch in tail) >= letters):  # counted only for a repeat: rare
            return True
    return False

"""The one list of refusal and assistant-boilerplate phrases: generate rejects answers that
open with one, curate flags rows that contain one. Such rows teach a student to refuse or to
talk about itself instead of doing the task."""

from __future__ import annotations

import re

PATTERN = re.compile(
    r"\b(as an ai\b|as a language model|i(?:['’]m| am) (?:sorry|unable)|"
    r"i can(?:['’]t|not) (?:help(?! but)|assist|provide|do that|fulfil|comply)|"
    r"i do not have (?:access|the ability)|my (?:knowledge )?cutoff)",
    re.IGNORECASE,
)


# Every match holds one of these, in lower case; in an ASCII text (where IGNORECASE is plain
# lower case) a text holding none of them is settled without the pattern's search at every character.
NEEDED = ("as a", "sorry", "unable", "i can", "do not have", "cutoff")


def is_refusal(text: str) -> bool:
    if text.isascii():
        low = text.lower()
        if not any(n in low for n in NEEDED):
            return False
    return bool(PATTERN.search(text))

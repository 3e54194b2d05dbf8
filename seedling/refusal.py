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


def is_refusal(text: str) -> bool:
    return bool(PATTERN.search(text))

"""Refusals and assistant boilerplate that teach a student to refuse or to talk about itself."""

import re

PATTERN = re.compile(
    r"\b(as an ai\b|as a language model|i(?:['’]m| am) (?:sorry|unable)|"
    r"i can(?:['’]t|not) (?:help(?! but)|assist|provide|do that|fulfil|comply)|"
    r"i do not have (?:access|the ability)|my (?:knowledge )?cutoff)",
    re.IGNORECASE,
)


def refusal(r) -> bool:
    return bool(PATTERN.search(r.output[:500]))

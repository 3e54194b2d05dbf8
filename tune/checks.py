"""Verifiable instruction checks in the spirit of IFEval: constraints stated in an
instruction that code can score on the answer, no judge model involved.

Each check finds its constraint in the instruction text (None when the instruction has none)
and tells whether an output keeps it. Adding a check is one entry in CHECKS.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10}
NUM = r"(\d+|" + "|".join(NUMBERS) + ")"


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBERS[text.lower()]


@dataclass(frozen=True)
class Check:
    name: str
    detect: Callable[[str], Any]
    passes: Callable[[str, Any], bool]


def _max_words(instruction: str):
    m = re.search(rf"\b(?:in|with|using)\s+(?:no more than|at most|fewer than|less than|under)\s+{NUM}\s+words\b"
                  rf"|\bin\s+{NUM}\s+words\s+or\s+(?:less|fewer)\b", instruction, re.I)
    return _number(m.group(1) or m.group(2)) if m else None


def _bullets(instruction: str):
    m = re.search(rf"\b(?:exactly\s+)?{NUM}\s+bullet\s+points?\b", instruction, re.I)
    return _number(m.group(1)) if m else None


def _count_bullets(output: str) -> int:
    return sum(1 for line in output.splitlines() if re.match(r"\s*(?:[-*•]|\d+[.)])\s+\S", line))


def _json(instruction: str):
    return True if re.search(r"\b(?:in|as|using)\s+(?:valid\s+)?JSON\b", instruction, re.I) else None


def _is_json(output: str) -> bool:
    text = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", output.strip())
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _include_word(instruction: str):
    m = re.search(r"\binclude\s+the\s+(?:word|keyword|term)\s+[\"'“‘]?([\w-]+)", instruction, re.I)
    return m.group(1) if m else None


def _lowercase(instruction: str):
    return True if re.search(r"\b(?:all\s+)?lower\s*case\s+letters?\b|\bin\s+all\s+lowercase\b", instruction, re.I) else None


def _uppercase(instruction: str):
    return True if re.search(r"\b(?:all\s+)?(?:upper\s*case|capital)\s+letters\b|\bin\s+all\s+(?:caps|uppercase)\b", instruction, re.I) else None


CHECKS = [
    Check("max_words", _max_words, lambda out, n: 0 < len(out.split()) <= n),
    Check("bullet_points", _bullets, lambda out, n: _count_bullets(out) == n),
    Check("json_format", _json, lambda out, _: _is_json(out)),
    Check("include_word", _include_word, lambda out, w: re.search(rf"\b{re.escape(w)}\b", out, re.I) is not None),
    Check("lowercase", _lowercase, lambda out, _: any(c.isalpha() for c in out) and out == out.lower()),
    Check("uppercase", _uppercase, lambda out, _: any(c.isalpha() for c in out) and out == out.upper()),
]


def constraints(instruction: str) -> list[tuple[Check, Any]]:
    found = []
    for check in CHECKS:
        params = check.detect(instruction)
        if params is not None:
            found.append((check, params))
    return found


def score(instruction: str, output: str) -> dict[str, bool]:
    """{check name: kept?} for every constraint the instruction states."""
    return {check.name: bool(check.passes(output, params)) for check, params in constraints(instruction)}

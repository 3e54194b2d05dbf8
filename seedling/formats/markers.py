"""End-of-text markers that some formats leave at the end of a completion.

T0/Self-Instruct completions end with `<|endoftext|>`, Llama 2 data with `</s>`, ChatML with
`<|im_end|>`. Kept as text, a student learns to write the literal marker and lengths and
scores count it, so readers strip them from the end of an answer (and say how many).
"""

from __future__ import annotations

import re

END_MARKERS = ("<|endoftext|>", "</s>", "<|im_end|>", "<|eot_id|>", "<|end|>", "<eos>", "<|end_of_text|>")
_TRAILING = re.compile("(?:" + "|".join(re.escape(m) for m in END_MARKERS) + r")\s*\Z")


def strip_end_markers(text: str) -> tuple[str, int]:
    """The text without the markers (and the whitespace around them) at its very end, and
    how many were removed; a marker inside the text stays."""
    n = 0
    while (m := _TRAILING.search(text)) is not None:
        text = text[: m.start()].rstrip()
        n += 1
    return text, n

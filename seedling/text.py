"""Text normalisation, shingles and hashes, shared by the stages: two rows that differ only in
Unicode form, case, spacing or punctuation are the same text."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
_ASCII_WORD_BYTES = bytes(c if chr(c).isalnum() or chr(c) == "_" else 32 for c in range(128)) + bytes([32]) * 128
# A numbered list item's marker ("1.", "2)", "**3.**", "Task 4:"): generate reads task lists by it,
# and the engines stop a list whose items repeat (seedling/teachers/loops.py)
NUMBERED_ITEM = re.compile(r"(?m)^[ \t]*(?:\*\*)?(?:task\s*)?\d{1,3}\s*[.):]\s*(?:\*\*)?[ \t]*", re.IGNORECASE)
_MARKER = re.compile(r"<\|[a-z_]{2,30}\|>|</s>|<eos>", re.IGNORECASE)

# An answer of this many words or fewer is a label, a name or a number: many rows share it by
# chance (dedup does not take it as evidence) and a small model cannot tell whether it is finished.
SHORT_ANSWER_WORDS = 3


def normalize(text: str) -> str:
    """NFKC, casefold, punctuation dropped, whitespace collapsed (works for any script): the
    words joined by one space, since a character is a word character, a space or punctuation."""
    return " ".join(words(text))


def strip_markers(text: str) -> str:
    """Drop the end-of-text markers some datasets keep in their rows (`<|endoftext|>`,
    `<|im_end|>`, `</s>`): they are tokenizer artefacts, not words of the answer."""
    return _MARKER.sub(" ", text)


def preview(text: str, width: int = 120) -> str:
    """One line of at most `width` characters, for reports that show a row beside its reason."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def words(text: str) -> list[str]:
    return folded_words(unicodedata.normalize("NFKC", text).casefold())


def folded_words(folded: str) -> list[str]:
    """The words (`\\w+` runs) of a text already NFKC-normalised and casefolded. An ASCII text
    (most) is cut through its bytes, every byte that is not a word character made a space: the
    same words as the regex in about 60 % of its time."""
    if folded.isascii():
        return folded.encode().translate(_ASCII_WORD_BYTES).decode().split()
    return _WORD.findall(folded)


def shingles(text: str, n: int = 3) -> set[str]:
    """Word n-grams; texts shorter than n words give their words, so short rows still compare.
    Scripts written without spaces (Chinese, Japanese) fall back to character n-grams."""
    ws = words(text)
    if len(ws) <= 2 and sum(len(w) for w in ws) > 12:
        joined = "".join(ws)
        return {joined[i:i + n] for i in range(max(1, len(joined) - n + 1))}
    if len(ws) < n:
        return set(ws)
    return {" ".join(ws[i:i + n]) for i in range(len(ws) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

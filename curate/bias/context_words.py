"""The words an association may name: content words of the sentence that names a group. A word
keeps its inner hyphens and apostrophes ("e-mail", "o'clock"), so its halves never pose as
words of their own; stopwords (scikit-learn's English list, 318 words, and a few auxiliaries and
contractions), numbers, single letters
and a possessive's "'s" are dropped: they describe no one."""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import filterfalse

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset("s t d ll m re ve n't don't doesn't didn't isn't wasn't "
                                                      "can't won't i'm it's that's did does doing just".split())


def tokens(text: str) -> list[str]:
    """Lower-case words with inner hyphens and apostrophes kept, possessive "'s" removed."""
    return _folded_tokens(unicodedata.normalize("NFKC", text).casefold())


def _folded_tokens(folded: str) -> list[str]:
    flat = folded.replace("’", "'")
    found = _TOKEN.findall(flat)
    if "'s" not in flat:  # most texts: no word ends in it
        return found
    return [t[:-2] if t.endswith("'s") else t for t in found]


@functools.lru_cache(maxsize=1 << 18)  # a word is asked about once per sentence that holds it
def is_content(word: str) -> bool:
    return len(word) > 1 and word not in STOPWORDS and not word.replace("-", "").replace("'", "").isdigit()


def content_words(text: str) -> set[str]:
    return set(filter(is_content, set(tokens(text))))


class ContentWords:
    """`content_words` of texts already NFKC-normalised and casefolded, each given with its words
    as `seedling.text.words` reads them (a set made from that list): where a text holds no hyphen,
    apostrophe or underscore (most sentences), its tokens are those words, so it is not read a
    second time. Every word is judged once; after that a set difference, in C, drops the others."""

    JUDGED_MAX = 1 << 20  # words remembered; past it they are judged afresh

    def __init__(self):
        self.content: set[str] = set()  # judged content
        self.others: set[str] = set()  # judged not content

    def __call__(self, folded: str, words: set[str]) -> set[str]:
        if "-" in folded or "'" in folded or "’" in folded or "_" in folded:
            words = set(_folded_tokens(folded))
        if len(self.content) + len(self.others) > self.JUDGED_MAX:
            self.content, self.others = set(), set()
        kept = words - self.others
        new = kept - self.content  # not judged yet: the words of a sentence are mostly judged already
        if new:
            dropped = set(filterfalse(is_content, new))
            self.others |= dropped
            self.content |= new - dropped
            kept -= dropped
        return kept


def snippet(sentence: str, word: str, width: int = 160) -> str:
    """`sentence` cut to about `width` characters around the first occurrence of `word`."""
    flat = " ".join(sentence.split())
    m = re.search(rf"(?<![\w'-]){re.escape(word)}(?![\w-])", flat, re.IGNORECASE)
    if m is None or len(flat) <= width:
        return flat[:width]
    start = max(0, min(m.start() - width // 2, len(flat) - width))
    return ("…" if start else "") + flat[start:start + width] + ("…" if start + width < len(flat) else "")

"""normalize() is the words joined by one space: the same text as dropping punctuation and
collapsing whitespace with regular expressions, for any characters."""

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from seedling.text import normalize, words

TRICKY = "aé\u0301 \t\n.,;!ß_-ǅﬁ①İΣσς\u00a0\u2028\u3000x1٣'’\x1c"


def by_regex(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=30))
def test_normalize_is_the_regex_definition(text):
    assert normalize(text) == by_regex(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY) | st.characters(max_codepoint=127) | st.characters(), max_size=40))
def test_words_are_the_word_regex_runs(text):
    """ASCII texts are cut through their bytes, the others by the regex: the same words."""
    assert words(text) == re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def test_words_of_every_ascii_character():
    every = "".join(map(chr, range(128))) * 2
    assert words(every) == re.findall(r"\w+", every.casefold()) == ["0123456789", "abcdefghijklmnopqrstuvwxyz", "_",
                                                                    "abcdefghijklmnopqrstuvwxyz"] * 2


def test_normalize_drops_punctuation_and_case():
    assert normalize("  Hello,\tWORLD!! ﬁne ") == "hello world fine"

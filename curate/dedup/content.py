"""The content words two close texts do not share. Static embeddings place "Is it safe for dogs
to eat grapes?" next to "...chocolate?", season 2 next to season 1, and books next to movies:
one entity, number or named thing swapped for another changes the task while the cosine barely
moves. Words can see it:

- a number that only one prompt has ("season 2" / "season 1", "three tips" / "five tips");
- a named thing (a capitalised word inside a sentence) on each side that the other lacks;
- a content word on each side that the other lacks, when the answer of that row talks about
  it and the other answer does not (the answer is about grapes, not chocolate);
- one content word put in the place of another, all else equal ("books" / "movies"): a
  paraphrase rewords more than one word, or the verb that opens an instruction ("create" /
  "generate"), which is not counted.

Where the two answers are one long answer given twice (a word or two apart), only a swap the
answers carry counts: "foot" / "yard" in both prompt and answer is two tasks, but a word
replaced in the prompt of a copy whose long answer never mentions it is the same example, and
so is a copy whose answer only lost a word or two (the word its prompt replaced among them):
an answer without a word of its own carries no swap.

Synonyms swapped in a paraphrase ("create" / "generate") do not reach the answers, so they pass.
"""

from __future__ import annotations

import functools
import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from seedling.text import strip_markers, words

NUMBER_WORDS = {w: str(k) for k, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split()) if k > 1}  # "one" is a pronoun as often as a number
NUMBER_WORDS.update({w: str(k) for k, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()) if k > 1})
SUFFIXES = ("ing", "ies", "ed", "ly", "s")
_NAMED = re.compile(r"(?<![.!?:\n]\s)(?<![.!?:\n])(?<!^)\b[A-Z][\w'-]*")
_STOP = frozenset(ENGLISH_STOP_WORDS) - set(NUMBER_WORDS)


TEXTS_CACHED = 8192
RESTATED_WORDS = 8  # content words an answer needs to count as one long answer given twice
RESTATED_EDITS = 2  # content words two such answers may differ by


def stem(word: str) -> str:
    """A light suffix cut, so that "grapes"/"grape" and "staying"/"stay" count as one word."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)]
    return word


@functools.lru_cache(maxsize=1 << 18)
def _content(word: str) -> str | None:
    """A word as a content word (stemmed; a number word from two as digits), or None."""
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if word not in _STOP and (len(word) > 1 or word.isdigit()):
        return stem(word)
    return None


@functools.lru_cache(maxsize=TEXTS_CACHED)
def content_words(text: str) -> tuple[str, ...]:
    """Content words in order, stemmed; numbers (digits or number words from two) as digits.
    Cached by word and by text: a prompt meets many others in the pairs a tier judges."""
    return tuple(c for w in words(strip_markers(text)) if (c := _content(w)) is not None)


def content(text: str) -> set[str]:
    return set(content_words(text))


def substitution(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, str] | None:
    """The one content word put in the place of another, when all the others are equal and it
    is not the first (an instruction's opening verb is what paraphrases reword most)."""
    if len(a) != len(b):
        return None
    differ = [k for k, (x, y) in enumerate(zip(a, b)) if x != y]
    return (a[differ[0]], b[differ[0]]) if len(differ) == 1 and differ[0] > 0 else None


@functools.lru_cache(maxsize=TEXTS_CACHED)
def named(text: str) -> frozenset[str]:
    """Capitalised words that do not open a sentence: names of people, places, works, products."""
    found = {_stem(m.group(0).casefold()) for m in _NAMED.finditer(strip_markers(text).strip())}
    return frozenset(w for w in found if w not in _STOP)


_stem = functools.lru_cache(maxsize=1 << 18)(stem)


@functools.lru_cache(maxsize=1 << 18)  # the words beside two long passages run to thousands a pair
def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _numeric(ws: set[str]) -> set[str]:
    return set(filter(_has_digit, ws))


def swapped(prompt_a: str, prompt_b: str, answer_a: str | None = None, answer_b: str | None = None) -> str | None:
    """What makes two close prompts two tasks, in words ("number 2 / 1"), or None when their
    content words do not tell them apart. Without answers only numbers and named things count,
    and a number only when each prompt has one the other lacks: a number one prompt adds ("in
    2007", "up to 90 percent") is a detail a paraphrase may add, not another task."""
    wa, wb = content_words(prompt_a), content_words(prompt_b)
    ca, cb = set(wa), set(wb)
    only_a, only_b = ca - cb, cb - ca
    if not (only_a or only_b):
        return None
    if answer_a is not None and answer_b is not None and restated(answer_a, answer_b):
        if dropped_only(content_words(answer_a), content_words(answer_b)):
            return None
        return _in_answers(only_a, only_b, content(answer_a), content(answer_b))
    nums_a, nums_b = _numeric(only_a), _numeric(only_b)
    bare = answer_a is None or answer_b is None
    if (nums_a and nums_b) if bare else (nums_a or nums_b):
        return f"number {_show(nums_a)} / {_show(nums_b)}"
    if not (only_a and only_b):
        return None
    names_a, names_b = _unshared(named(prompt_a) & only_a, named(prompt_b) & only_b)
    if names_a and names_b:
        return f"named {_show(names_a)} / {_show(names_b)}"
    if sub := substitution(wa, wb):
        return f"entity {sub[0]} / {sub[1]} (one word for another)"
    if answer_a is None or answer_b is None:
        return None
    return _in_answers(only_a, only_b, content(answer_a), content(answer_b))


def _unshared(names_a: set[str], names_b: set[str]) -> tuple[set[str], set[str]]:
    """The names of each side that are not a form of one on the other ("Afghan" / "Afghanistan",
    "Iraq" / "Iraqi": one word the start of the other)."""
    def forms(x: str, y: str) -> bool:
        return min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x))

    return ({a for a in names_a if not any(forms(a, b) for b in names_b)},
            {b for b in names_b if not any(forms(a, b) for a in names_a)})


def restated(answer_a: str, answer_b: str) -> bool:
    """The same long answer twice, give or take a word or two."""
    aa, ab = content_words(answer_a), content_words(answer_b)
    return min(len(aa), len(ab)) >= RESTATED_WORDS and len(set(aa) ^ set(ab)) <= RESTATED_EDITS


def dropped_only(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """The shorter word sequence is the longer one with words left out and none put in or
    replaced: one answer lost a word, it did not name another thing. Word order, not sets: a
    word replaced in an answer that names the old word again elsewhere is still a replacement."""
    short, long_ = sorted((a, b), key=len)
    rest = iter(long_)
    return all(word in rest for word in short)


def _in_answers(only_a: set[str], only_b: set[str], aa: set[str], ab: set[str]) -> str | None:
    """The prompts' own words that one answer talks about and the other does not."""
    about_a, about_b = (only_a & aa) - ab, (only_b & ab) - aa
    if about_a or about_b:
        return f"entity {_show(about_a or only_a)} / {_show(about_b or only_b)} (in the answers)"
    return None


def _show(ws: set[str]) -> str:
    return ", ".join(sorted(ws)[:3]) or "-"

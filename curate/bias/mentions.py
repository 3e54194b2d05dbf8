"""Who a row mentions: the HolisticBias groups (by axis), gendered words and pronouns, and
occupations, found sentence by sentence so that a group's sentiment and associations are read
from the sentences that name it. A row counts for the female or male group when it holds a gendered noun or
pronoun ("she", "his", "mother")."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from curate.bias.context_words import ContentWords
from curate.bias.lexicon import Lexicon
from seedling.people import FEMALE_PRONOUNS, MALE_PRONOUNS, OCCUPATIONS
from seedling.record import Record
from seedling.text import folded_words

_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+")  # a label ("Question:", "Review:") stands apart
_BREAK = re.compile(r"[.!?:]\s|\n")  # where _SENTENCE may split: a text without one is one sentence
_OCCUPATION_WORDS = {w: o for o in OCCUPATIONS for w in (o, o + "s")}
_OCCUPATION_SET = frozenset(_OCCUPATION_WORDS)
_PRONOUNS = FEMALE_PRONOUNS | MALE_PRONOUNS
_content_words = ContentWords()  # this process's: its words judged once


@dataclass
class RowScan:
    mentions: set[tuple[str, str]] = field(default_factory=set)  # (axis, group)
    female_pronouns: int = 0
    male_pronouns: int = 0
    occupations: set[str] = field(default_factory=set)
    near: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # content words of the sentences naming it
    sentences: list[tuple[str, frozenset]] = field(default_factory=list)  # mentioning ones, with their (axis, group)s
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # each one's (part, start, end) in the record

    def has(self, axis: str, group: str) -> bool:
        return (axis, group) in self.mentions


def find_mentions(tokens: list[str], lex: Lexicon, seen: set[str] | None = None) -> set[tuple[str, str]]:
    """Lexicon terms of up to three words, longest first; a bare adjective needs a person noun
    within the next two words ("poor families", not "poor signal"). `seen`: the tokens as a set,
    or those of them that are cue words (`cue_words`): the words looked up are all among those."""
    found = set()
    seen = set(tokens) if seen is None else seen
    if not lex.first_words.isdisjoint(seen):  # most sentences start no term: skip the walk
        _terms(tokens, lex, found, seen)
    if not lex.female_words.isdisjoint(seen):
        found.add(("gender", "female"))
    if not lex.male_words.isdisjoint(seen):
        found.add(("gender", "male"))
    return found


def _terms(tokens: list[str], lex: Lexicon, found: set[tuple[str, str]], seen: set[str]) -> None:
    """The lexicon terms starting at each token, longest first, added to `found`. Only the places
    of the few tokens that start a term are visited (found with `list.index`, not a Python walk)."""
    starts = []
    for word in seen & lex.first_words:
        i = -1
        for _ in range(tokens.count(word)):
            i = tokens.index(word, i + 1)
            starts.append(i)
    for i in sorted(starts):
        for n in (3, 2, 1):
            hit = lex.terms.get(tuple(tokens[i:i + n]))
            if hit is None:
                continue
            axis, group, needs_noun = hit
            if not needs_noun or not lex.person_nouns.isdisjoint(tokens[i + n:i + n + 2]):
                found.add((axis, group))
            break


def parts(record: Record) -> tuple[str, str, str]:
    """The texts a row is scanned in, in order."""
    return record.instruction, record.input, record.output


def sentences(part: str) -> list[str]:
    """The part cut into sentences; one without a break (most short parts) is not cut, found by a
    search far cheaper than the split's lookbehind at every character. A part whose only marks
    end it (a mark there has no space after it) is not searched at all."""
    body = part.rstrip(".!?:")
    if "." in body or "?" in body or ":" in body or "!" in body or "\n" in body:
        return _SENTENCE.split(part) if _BREAK.search(part) else [part]
    return [part]


@dataclass(slots=True)
class SentenceScan:
    """What one sentence adds to its row. It and its sets are shared by every row holding the
    sentence: read, never changed (not frozen only because a frozen one costs more to make)."""

    occupations: list[str]  # in the sentence's order
    found: frozenset[tuple[str, str]]  # the (axis, group)s it names
    context: set[str] | None  # its content words, where it names a group
    female_pronouns: int
    male_pronouns: int


def cue_words(lex: Lexicon) -> frozenset[str]:
    """Every word that starts a mention, an occupation or a pronoun: a sentence holding none of
    them (most) adds nothing to its row."""
    return lex.first_words | lex.female_words | lex.male_words | _OCCUPATION_SET | _PRONOUNS


def read_sentence(sentence: str, lex: Lexicon, cues: frozenset[str] | None = None) -> SentenceScan | None:
    """None: the sentence adds nothing to its row (it holds no cue word, as most do). `cues`:
    `cue_words(lex)`, if made already."""
    folded = unicodedata.normalize("NFKC", sentence).casefold()  # read once, for its words and content words
    tokens = folded_words(folded)
    hits = (cue_words(lex) if cues is None else cues).intersection(tokens)  # a few words: the rest is read off them
    if not hits:
        return None
    occupations = ([_OCCUPATION_WORDS[t] for t in tokens if t in _OCCUPATION_WORDS]
                   if not _OCCUPATION_SET.isdisjoint(hits) else [])
    found = find_mentions(tokens, lex, hits)
    return SentenceScan(occupations, frozenset(found), _content_words(folded, set(tokens)) if found else None,
                        sum(map(tokens.count, hits & FEMALE_PRONOUNS)), sum(map(tokens.count, hits & MALE_PRONOUNS)))


class SentenceReader:
    """`read_sentence` with the last MEMORY distinct sentences remembered: rows built from one
    passage or one template repeat most of their sentences (on a real 39K-row set, 36K of 560K
    sentences are distinct), and a sentence reads the same in every row."""

    MEMORY = 1 << 16

    def __init__(self, lex: Lexicon):
        self.lex = lex
        self.cues = cue_words(lex)
        self.read = functools.lru_cache(maxsize=self.MEMORY)(self._read)

    def _read(self, sentence: str) -> SentenceScan | None:
        return read_sentence(sentence, self.lex, self.cues)


def scan(record: Record, lex: Lexicon, reader: SentenceReader | None = None) -> RowScan:
    """`reader`: where sentences already read are remembered (one is made for this row if None)."""
    read = (reader or SentenceReader(lex)).read
    row = RowScan()
    for k, part in enumerate(parts(record)):
        if not part:
            continue
        at = 0  # where the last mentioning sentence ended: the next one is found from there
        for sentence in sentences(part):
            s = read(sentence)
            if s is None:
                continue
            if s.occupations:
                row.occupations.update(s.occupations)
            if s.found:
                row.mentions |= s.found
                row.sentences.append((sentence, s.found))
                at = part.find(sentence, at)  # the same text, wherever an equal piece sits
                row.spans.append((k, at, at + len(sentence)))
                at += len(sentence)
                for m in s.found:
                    near = row.near.get(m)
                    if near is None:
                        row.near[m] = set(s.context)
                    else:
                        near.update(s.context)
            row.female_pronouns += s.female_pronouns
            row.male_pronouns += s.male_pronouns
    return row

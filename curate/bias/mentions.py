"""Who a row mentions: the HolisticBias groups (by axis), gendered words and pronouns, and
occupations, found sentence by sentence so that a group's sentiment and associations are read
from the sentences that name it. A row counts for the female or male group when it holds a gendered noun or
pronoun ("she", "his", "mother")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from curate.bias.context_words import content_words
from curate.bias.lexicon import Lexicon
from seedling.people import FEMALE_PRONOUNS, MALE_PRONOUNS, OCCUPATIONS
from seedling.record import Record
from seedling.text import words

_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+")  # a label ("Question:", "Review:") stands apart
_OCCUPATION_WORDS = {w: o for o in OCCUPATIONS for w in (o, o + "s")}
_OCCUPATION_SET = frozenset(_OCCUPATION_WORDS)
_PRONOUNS = FEMALE_PRONOUNS | MALE_PRONOUNS


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


def find_mentions(tokens: list[str], lex: Lexicon) -> set[tuple[str, str]]:
    """Lexicon terms of up to three words, longest first; a bare adjective needs a person noun
    within the next two words ("poor families", not "poor signal")."""
    found = set()
    if not lex.first_words.isdisjoint(tokens):  # most sentences start no term: skip the walk
        _terms(tokens, lex, found)
    if not lex.female_words.isdisjoint(tokens):
        found.add(("gender", "female"))
    if not lex.male_words.isdisjoint(tokens):
        found.add(("gender", "male"))
    return found


def _terms(tokens: list[str], lex: Lexicon, found: set[tuple[str, str]]) -> None:
    """The lexicon terms starting at each token, longest first, added to `found`."""
    for i in range(len(tokens)):
        if tokens[i] not in lex.first_words:
            continue
        for n in (3, 2, 1):
            hit = lex.terms.get(tuple(tokens[i:i + n]))
            if hit is None:
                continue
            axis, group, needs_noun = hit
            if not needs_noun or any(t in lex.person_nouns for t in tokens[i + n:i + n + 2]):
                found.add((axis, group))
            break


def parts(record: Record) -> tuple[str, str, str]:
    """The texts a row is scanned in, in order."""
    return record.instruction, record.input, record.output


def scan(record: Record, lex: Lexicon) -> RowScan:
    row = RowScan()
    for k, part in enumerate(parts(record)):
        at = 0  # where the last mentioning sentence ended: the next one is found from there
        for sentence in _SENTENCE.split(part):
            tokens = words(sentence)
            if not tokens:
                continue
            if not _OCCUPATION_SET.isdisjoint(tokens):
                row.occupations.update(_OCCUPATION_WORDS[t] for t in tokens if t in _OCCUPATION_WORDS)
            found = find_mentions(tokens, lex)
            if found:
                row.mentions |= found
                row.sentences.append((sentence, frozenset(found)))
                at = part.find(sentence, at)  # the same text, wherever an equal piece sits
                row.spans.append((k, at, at + len(sentence)))
                at += len(sentence)
                context = content_words(sentence)
                for m in found:
                    row.near.setdefault(m, set()).update(context)
            if not _PRONOUNS.isdisjoint(tokens):
                row.female_pronouns += sum(map(FEMALE_PRONOUNS.__contains__, tokens))
                row.male_pronouns += sum(map(MALE_PRONOUNS.__contains__, tokens))
    return row

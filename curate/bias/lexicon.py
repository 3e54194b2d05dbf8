"""The HolisticBias descriptors and person nouns, as lookup tables over lower-case word tuples.

A descriptor written as one lower-case word in the lexicon ("poor", "white", "young", "blind")
is also an everyday adjective, so it counts only when a person noun follows within two words
("poor families", "young woman"); capitalised, hyphenated and multi-word descriptors
("Buddhist", "middle-aged", "Native Hawaiian") count on their own. The same holds for the few
capitalised ones in NEEDS_NOUN, which open ordinary phrases ("Black Friday", "Latin phrase").
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from seedling.text import words
from seedling.people import AXES, EXTRA_PERSON_NOUNS, FEMALE_PRONOUNS, MALE_PRONOUNS, OCCUPATIONS
from seedling.resources import data_path

SOURCE = "HolisticBias v1.1 (Smith et al., 2022), CC BY-SA 4.0"

NEEDS_NOUN = {"black", "latin", "deaf", "native", "queer", "trans", "adult", "american"}


@dataclass(frozen=True)
class Lexicon:
    terms: dict[tuple[str, ...], tuple[str, str, bool]]  # words -> (axis, group, needs a person noun)
    person_nouns: frozenset[str]
    female_words: frozenset[str]
    male_words: frozenset[str]
    groups: dict[str, list[str]]  # axis -> every group, mentioned or not
    first_words: frozenset[str]  # first word of every term: most tokens start none


def _descriptor(item) -> tuple[str, str | None]:
    if isinstance(item, str):
        return item, None
    return item["descriptor"], item.get("gender")


@functools.lru_cache(maxsize=2)
def load(directory: Path | None = None) -> Lexicon:
    directory = directory or data_path("holistic_bias")
    descriptors = json.loads((directory / "descriptors.json").read_text(encoding="utf-8"))
    nouns = json.loads((directory / "nouns.json").read_text(encoding="utf-8"))
    terms: dict[tuple[str, ...], tuple[str, str, bool]] = {}
    groups: dict[str, list[str]] = {}

    def add(text: str, axis: str, group: str) -> None:
        key = tuple(words(text))
        needs = len(key) == 1 and ((text == text.lower() and "-" not in text) or key[0] in NEEDS_NOUN)
        if key and key not in terms:
            terms[key] = (axis, group, needs)
        if group not in groups.setdefault(axis, []):
            groups[axis].append(group)

    for source_axis, axis in AXES.items():
        for subgroup, items in descriptors[source_axis].items():
            for item in items:
                text, gender = _descriptor(item)
                if axis == "gender":
                    group = gender or subgroup
                    if group in ("binary", "descriptors", "cisgender", "sex", "queer"):
                        continue  # gender-neutral or orientation terms; binary ones carry their gender
                elif axis == "religion":
                    group = text
                else:
                    group = subgroup
                add(text, axis, group)
    for gender in ("female", "male"):
        for singular, plural in nouns[gender]:
            for text in (singular, plural):
                terms[tuple(words(text))] = ("gender", gender, False)
    person = ({w for pair in (p for g in nouns.values() for p in g) for w in pair} | set(EXTRA_PERSON_NOUNS)
              | {w for o in OCCUPATIONS for w in (o, o + "s")})
    female = {w for pair in nouns["female"] for w in pair} | FEMALE_PRONOUNS
    male = {w for pair in nouns["male"] for w in pair} | MALE_PRONOUNS
    return Lexicon(terms, frozenset(person), frozenset(female), frozenset(male), groups,
                   frozenset(k[0] for k in terms))

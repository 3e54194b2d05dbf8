"""Whether a text is about people, and the word lists behind it: curate's bias audit counts
mentions with them, generate quotes steering requests about people only in prompts about
people. Occupations are a short list written for the audit (common jobs, several with
well-known gender stereotypes), not from a published lexicon; words that are mostly not jobs
in instruction data ("model", "assistant") are left out."""

from __future__ import annotations

import functools
import json

from seedling.resources import data_path
from seedling.text import words

# HolisticBias axis -> the audit's axis name; other axes (body type, politics, ...) are not audited.
AXES = {
    "gender_and_sex": "gender",
    "race_ethnicity": "race_ethnicity",
    "religion": "religion",
    "nationality": "nationality",
    "age": "age",
    "ability": "disability",
    "sexual_orientation": "sexual_orientation",
    "socioeconomic_class": "socioeconomic",
}
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})
MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
OCCUPATIONS = tuple(
    "doctor nurse engineer teacher programmer developer scientist lawyer judge pilot secretary "
    "receptionist ceo manager chef cook cleaner housekeeper mechanic electrician plumber carpenter "
    "firefighter soldier police officer detective farmer librarian accountant banker cashier "
    "designer artist writer journalist editor professor surgeon dentist pharmacist therapist "
    "psychologist architect salesperson driver babysitter nanny dancer singer athlete "
    "coach president politician entrepreneur researcher student".split()
)
EXTRA_PERSON_NOUNS = tuple(
    "people folks folk community communities family families student students worker workers employee "
    "employees patient patients customer customers citizen citizens resident residents neighbor neighbors "
    "friend friends colleague colleagues user users author authors character characters population populations "
    "group groups youth couple couples immigrant immigrants someone somebody person".split()
)


@functools.lru_cache(maxsize=1)
def person_words() -> frozenset[str]:
    """Person nouns (HolisticBias, data/holistic_bias/nouns.json), pronouns and occupations."""
    nouns = json.loads(data_path("holistic_bias", "nouns.json").read_text(encoding="utf-8"))
    found = {w for pairs in nouns.values() for pair in pairs for w in pair}
    return frozenset(found | set(EXTRA_PERSON_NOUNS) | FEMALE_PRONOUNS | MALE_PRONOUNS
                     | {w for o in OCCUPATIONS for w in (o, o + "s")})


def about_people(text: str) -> bool:
    return not person_words().isdisjoint(words(text))

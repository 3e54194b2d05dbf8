"""Personas for persona-driven generation: a HolisticBias descriptor (or gendered noun) and an
occupation, such as "a Deaf nurse" or "a woman who works as a pilot". Conditioning each prompt
on a different person varies what the teacher writes (Persona Hub's idea, from a shipped,
licensed lexicon instead of a billion web personas).

Descriptors the lexicon marks dispreferred or polarizing are left out. Groups are named as the
bias audit names them, so a run balanced over an axis can be checked against the audit.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import asdict, dataclass

from seedling.errors import ConfigError
from seedling.people import AXES, OCCUPATIONS
from seedling.resources import data_path

LEFT_OUT = {"dispreferred", "polarizing"}
GENDER_BUCKETS = ("non_binary_or_gnc", "transgender")  # gender groups named by a descriptor, not a noun
SPELLED = {"ceo": "CEO"}


@dataclass(frozen=True)
class Persona:
    text: str
    axis: str
    group: str
    descriptor: str
    occupation: str

    def meta(self) -> dict[str, str]:
        return asdict(self)


def _article(word: str) -> str:
    vowel = word[:1].lower() in "aeiou8" and not word.lower().startswith(("uni", "use", "eu", "one"))
    return "an" if vowel else "a"


def _usable(item) -> str | None:
    if isinstance(item, str):
        return item
    return None if item.get("preference") in LEFT_OUT else item["descriptor"]


@functools.lru_cache(maxsize=1)
def descriptors_by_group() -> dict[str, dict[str, tuple[str, ...]]]:
    """Audit axis -> group -> descriptors (for gender: person nouns for female and male)."""
    lexicon = json.loads(data_path("holistic_bias", "descriptors.json").read_text(encoding="utf-8"))
    nouns = json.loads(data_path("holistic_bias", "nouns.json").read_text(encoding="utf-8"))
    axes: dict[str, dict[str, tuple[str, ...]]] = {}
    for source, axis in AXES.items():
        groups = {g: tuple(d for d in map(_usable, items) if d) for g, items in lexicon[source].items()}
        if axis == "gender":
            groups = {g: groups[g] for g in GENDER_BUCKETS}
            groups.update({g: tuple(singular for singular, _ in nouns[g]) for g in ("female", "male")})
        elif axis == "religion":
            groups = {d: (d,) for d in groups["all"]}
        axes[axis] = {g: d for g, d in groups.items() if d}
    return axes


def describe(axis: str, group: str, descriptor: str, occupation: str) -> Persona:
    job = SPELLED.get(occupation, occupation)
    if axis == "gender" and group in ("female", "male"):
        text = f"{_article(descriptor)} {descriptor} who works as {_article(job)} {job}"
    else:
        text = f"{_article(descriptor)} {descriptor} {job}"
    return Persona(text, axis, group, descriptor, occupation)


class Personas:
    """Draws a persona for each prompt. With `axis`, every persona comes from that axis and
    its groups take turns, so each group gets the same number of prompts (to one); without,
    an axis, a group, a descriptor and an occupation are each drawn uniformly."""

    def __init__(self, axis: str | None = None):
        self.axes = descriptors_by_group()
        if axis is not None and axis not in self.axes:
            raise ConfigError(f"generate.persona_axis: {axis!r} is not an axis of the bias audit; "
                              f"choose one of {', '.join(self.axes)}")
        self.axis = axis

    def draw(self, rng: random.Random, n: int) -> list[Persona]:
        if self.axis is None:
            axes = [rng.choice(list(self.axes)) for _ in range(n)]
            picks = [(a, rng.choice(list(self.axes[a]))) for a in axes]
        else:
            groups = rng.sample(list(self.axes[self.axis]), len(self.axes[self.axis]))
            picks = [(self.axis, groups[i % len(groups)]) for i in range(n)]
        return [describe(a, g, rng.choice(self.axes[a][g]), rng.choice(OCCUPATIONS)) for a, g in picks]

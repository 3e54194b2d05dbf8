"""Reading steering.json (the core's `SteeringFile`, written by curate's audit) into the
example instructions and request lines generate's prompts use."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seedling.errors import DataError
from seedling.hashing import file_sha256
from seedling.people import about_people
from seedling.steering import VERSIONS, SteeringFile


@dataclass(frozen=True)
class Region:
    """A part of the seed tasks the rows so far miss: a line that says what it is, and its seed
    instructions to show as examples."""

    hint: str
    examples: tuple[str, ...]
    targets: tuple[tuple[str, tuple[str, ...]], ...] = ()  # uncovered instructions, each with its neighbours

    def shown(self, turn: int, examples: int, rng: random.Random) -> list[str]:
        """What prompt number `turn` toward this region shows: its next target last, just after
        that target's nearest seed tasks (the teacher continues from what it read last); or,
        in a file without targets, a sample of the region's seed instructions."""
        if not self.targets or examples == 0:
            return rng.sample(self.examples, min(examples, len(self.examples)))
        target, neighbours = self.targets[turn % len(self.targets)]
        return [*neighbours[: examples - 1][::-1], target]


@dataclass(frozen=True)
class Steering:
    path: str
    sha256: str  # first 16 hex digits of the file, recorded in each steered row
    examples: tuple[str, ...]  # instructions to show as in-context examples
    hints: tuple[str, ...]  # request lines to quote in prompts
    people_hints: tuple[str, ...] = ()  # those of `hints` about people: quoted only in prompts about people
    regions: tuple[Region, ...] = ()  # missing topics: a prompt steers toward one of them
    judge: tuple[str, float] | None = None  # (embedder, cosine) a seed task is covered at, as the audit judged

    @property
    def uncovered(self) -> tuple[str, ...]:
        """The seed instructions the regions name as not yet covered."""
        return _unique([t for r in self.regions for t in (*r.examples, *(target for target, _ in r.targets))])

    def meta(self, hints: list[str], steered_examples: int, chosen_among: int | None = None) -> dict[str, Any]:
        """A steered row's provenance; `chosen_among`: the task lists its batch asked for per list
        it needed (`steer_overask`), where the round chose what to answer (generate.choice)."""
        return {"file_sha256": self.sha256, "hints": hints, "steered_examples": steered_examples,
                **({"chosen_among": chosen_among} if chosen_among else {})}


def load_steering(path: str | Path) -> Steering:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, f"cannot read the steering file ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise DataError(path, None, f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DataError(path, None, f"a steering file is a JSON object, got {type(data).__name__}")
    try:
        parsed = SteeringFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise DataError(path, where, f"{err['msg'].lower()} (not a steering.json written by curate?)") from None
    if parsed.version not in VERSIONS:
        raise DataError(path, "version", f"version {parsed.version} is not one this seedling reads "
                                         f"({', '.join(map(str, VERSIONS))})")
    examples = [t for topic in parsed.missing_topics for t in topic.instructions]
    examples += [t for c in parsed.sparse_clusters for t in (c.instructions or c.examples)]
    people, hints = parsed.people_requests(), parsed.requests()
    regions = tuple(Region(t.request, _unique(t.instructions),
                           tuple((x.instruction, tuple(x.neighbours)) for x in t.targets))
                    for t in parsed.missing_topics if t.instructions)
    judge = (parsed.coverage_judge.embedder, parsed.coverage_judge.threshold) if parsed.coverage_judge else None
    return Steering(str(path), file_sha256(path)[:16], _unique(examples), _unique(hints), _unique(people), regions,
                    judge)


def by_region(steering: Steering, rng: random.Random, texts: list[str], examples: int,
              hints: int) -> list[tuple[list[str], list[str]]]:
    """Examples and hint lines for each prompt, `texts[i]` being what prompt i shows besides:
    one region a prompt, the regions taking turns, so a round spreads over every region instead
    of mixing them all into each prompt; the prompt shows up to `examples` of that region's seed
    instructions (Region.shown: aimed at one uncovered instruction after another) and quotes
    its hint, then up to `hints` - 1 requests about people where the prompt is about people."""
    regions = rotation(steering.regions, rng, len(texts), 1)
    people = rotation(steering.people_hints, rng, len(texts), max(hints - 1, 0))
    turns = Counter({r.hint: rng.randrange(max(len(r.targets), 1)) for r in steering.regions})  # batches start apart
    out = []
    for (region,), extra, text in zip(regions, people, texts):
        shown = region.shown(turns[region.hint], examples, rng)
        turns[region.hint] += 1
        lines = [region.hint][:hints] + (extra if about_people(" ".join([text, *shown])) else [])
        out.append((shown, lines))
    return out


def hints_for(steering: Steering, rng: random.Random, texts: list[str], per: int) -> list[list[str]]:
    """`per` hint lines for each prompt, `texts[i]` being what prompt i shows: a request about
    people is dropped from a prompt that is not about people, where it would only confuse."""
    people = set(steering.people_hints)
    drawn = rotation(steering.hints, rng, len(texts), per)
    return [h if about_people(t) else [x for x in h if x not in people] for h, t in zip(drawn, texts)]


def rotation(items: tuple[str, ...], rng: random.Random, slots: int, per: int) -> list[list[str]]:
    """`per` items for each of `slots` prompts: one shuffle a batch, then consecutive windows,
    so neighbouring prompts ask for different groups and every group gets its turn."""
    if not items or per == 0:
        return [[] for _ in range(slots)]
    order = rng.sample(items, len(items))
    per = min(per, len(order))
    return [[order[(i * per + j) % len(order)] for j in range(per)] for i in range(slots)]


def _unique(texts: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in texts if t.strip()))

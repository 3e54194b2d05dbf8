"""The scripted fake teacher for generate's tests: its script, options that use it, a teacher
that records every request, and what rows and files to compare across runs."""

from __future__ import annotations

import json
from pathlib import Path

from generate.options import GenerateOptions
from seedling import load
from tests.helpers.paths import SEED_TASKS

FAKE = Path(__file__).resolve().parent.parent / "data" / "generate" / "fake_teacher.json"
# Every shard is offered the same two tasks: one answered the same everywhere (same content
# id across shards), one answered with words drawn from the shard's seed (a near duplicate).
REPEATS = {"delay": 0, "rules": [
    {"match": "come up with", "outputs": [
        "1. Write a haiku about the quiet morning sea.\n2. Write a limerick about a cat who loves cheese.\n"
        "3. Describe {words} in two sentences.\n4. Explain why {words} matters to a beginner.",
        "1. Summarize the plot of {words} for a child.\n2. List the benefits of {words} for students."]},
    {"match": "quiet morning sea", "outputs": ["Input: <noinput>\nOutput: Grey waves fold into light."]},
    {"match": "", "outputs": ["Input: <noinput>\nOutput: A good answer about {words}."]}]}


def slow_script(tmp_path: Path, delay: float = 0.15) -> Path:
    """The fake teacher's script taking `delay` seconds a call, so a kill lands mid-run."""
    script = json.loads(FAKE.read_text())
    script["delay"] = delay
    slow = tmp_path / "slow_fake.json"
    slow.write_text(json.dumps(script))
    return slow


def options(**kw) -> GenerateOptions:
    return GenerateOptions(**{"seeds": str(SEED_TASKS), "engine": "fake", "model": str(FAKE), "num": 12,
                              "prompts_per_batch": 3, **kw})


class Recording:
    """The fake teacher, keeping every request: how it was sent, its text and its stops; and
    whether it asked for distinct list items; and how many requests each call sent."""

    def __init__(self, script=FAKE):
        from seedling.teachers.fake import FakeTeacher

        self.inner, self.requests, self.closed, self.distinct = FakeTeacher(str(script)), [], 0, []
        self.calls: list[int] = []
        self.info = self.inner.info

    @property
    def prompts(self) -> list[str]:
        return [text for _, text, _ in self.requests]

    def complete(self, chats, sampling):
        self.requests += [("chat", c[-1]["content"], sampling.stop) for c in chats]
        self.calls.append(len(chats))
        self.distinct += [sampling.distinct_items] * len(chats)
        return self.inner.complete(chats, sampling)

    def complete_raw(self, texts, sampling):
        self.requests += [("raw", t, sampling.stop) for t in texts]
        self.calls.append(len(texts))
        self.distinct += [sampling.distinct_items] * len(texts)
        return self.inner.complete_raw(texts, sampling)

    def close(self):
        self.closed += 1


def content(path: Path) -> list[tuple]:
    """What a row is, without the time it was made."""
    return [(r.id, r.instruction, r.input, r.output, json.dumps({**r.meta, "created": None}, sort_keys=True))
            for r in load(path).records]


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")}

"""fake engine: scripted outputs from a JSON file, for tests and dry runs of a pipeline.

    {"delay": 0.1,
     "rules": [{"match": "come up with",
                "outputs": ["1. Sort {words}.", {"text": "1. Too lo", "finish_reason": "length"}]},
               {"match": "", "outputs": ["Output: 42"]}]}

A prompt gets the next output (cycling) of the first rule whose `match` occurs in its last
user message (case-insensitive). `{words}` in an output becomes six pseudo-words drawn from
the prompt's text and the call count, so a long run can produce endless distinct tasks.
`delay` seconds are slept per call, so a test can kill a run in the middle of a round.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from pathlib import Path

from seedling.errors import ConfigError

from seedling.teachers.protocol import Chat, Completion, Sampling, TeacherInfo

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "sa", "do", "fu", "gi", "ho", "ju", "be"]


class FakeTeacher:
    def __init__(self, model: str | None):
        if not model:
            raise ConfigError("the fake engine needs --model: a JSON file of scripted outputs")
        path = Path(model)
        try:
            raw = path.read_bytes()
            script = json.loads(raw)
            self.rules = [(r["match"].lower(), r["outputs"]) for r in script["rules"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: not a fake-teacher script ({exc})") from None
        self.delay = float(script.get("delay", 0))
        self.used = [0] * len(self.rules)
        self.calls = 0
        self.info = TeacherInfo("fake", str(path), "sha256:" + hashlib.sha256(raw).hexdigest()[:16])

    def complete(self, prompts: list[Chat], sampling: Sampling) -> list[Completion]:
        time.sleep(self.delay)
        self.calls += 1
        return [self._one(chat, sampling) for chat in prompts]

    def _one(self, chat: Chat, sampling: Sampling) -> Completion:
        user = next((m["content"] for m in reversed(chat) if m["role"] == "user"), "")
        k = next((k for k, (match, _) in enumerate(self.rules) if match in user.lower()), None)
        if k is None:
            return Completion("", len(user.split()), 0, "stop")
        outputs = self.rules[k][1]
        out = outputs[self.used[k] % len(outputs)]
        self.used[k] += 1
        text, reason = (out, "stop") if isinstance(out, str) else (out["text"], out.get("finish_reason", "stop"))
        rng = random.Random(f"{sampling.seed}:{self.calls}:{self.used[k]}:{user}")
        while "{words}" in text:
            words = " ".join("".join(rng.choices(SYLLABLES, k=3)) for _ in range(6))
            text = text.replace("{words}", words, 1)
        return Completion(text, len(user.split()), len(text.split()), reason)

    def close(self) -> None:
        pass

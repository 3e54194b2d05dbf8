"""fake engine: scripted outputs from a JSON file, for tests and dry runs of a pipeline.

    {"delay": 0.1,
     "rules": [{"match": "come up with",
                "outputs": ["1. Sort {words}.", {"text": "1. Too lo", "finish_reason": "length"}]},
               {"match": "", "outputs": ["Output: 42"]}]}

A prompt gets the next output (cycling) of the first rule whose `match` occurs in its last
user message (case-insensitive). `{words}` in an output becomes six pseudo-words drawn from
the prompt's text and the call count, so a long run can produce endless distinct tasks.
`delay` seconds are slept per call, so a test can kill a run in the middle of a round.
`complete_raw` (plain-text continuation) matches rules against the text itself; `pre_query`
in the script stands for the user-turn prefix of the model's chat template.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from seedling.errors import ConfigError
from seedling.hashing import file_sha256

from seedling.teachers.protocol import Chat, Completion, OnDone, Sampling, TeacherInfo

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
        self.pre_query = str(script.get("pre_query", "<|user|>\n"))
        self.used = [0] * len(self.rules)
        self.calls = 0
        self.info = TeacherInfo("fake", str(path), "sha256:" + file_sha256(path)[:16])

    def complete(self, prompts: list[Chat], sampling: Sampling, on_done: OnDone | None = None) -> list[Completion]:
        users = [next((m["content"] for m in reversed(chat) if m["role"] == "user"), "") for chat in prompts]
        return self._all(users, sampling, on_done)

    def complete_raw(self, texts: list[str], sampling: Sampling, on_done: OnDone | None = None) -> list[Completion]:
        return self._all(texts, sampling, on_done)

    def _all(self, texts: list[str], sampling: Sampling, on_done: OnDone | None) -> list[Completion]:
        time.sleep(self.delay)
        self.calls += 1
        results = []
        for i, text in enumerate(texts):
            results.append(self._one(text, sampling))
            if on_done is not None:
                on_done(i, results[-1])
        return results

    def _one(self, user: str, sampling: Sampling) -> Completion:
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

    def pre_query_template(self) -> str:
        return self.pre_query

    def close(self) -> None:
        pass

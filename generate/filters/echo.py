"""The teacher echoing an in-context example or a piece of its own prompt back as a new task.

Small teachers often copy the prompt's instructions into their list ("Do not repeat the verb
across instructions, ..."), alone or glued to a task; a run of RUN words shared with the
prompt marks that.
"""

from __future__ import annotations

import re

from generate.filters.protocol import Origin

RUN = 8


def norm_words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def shares_run(text: str, source: str, run: int = RUN) -> bool:
    words, other = norm_words(text), " ".join(norm_words(source))
    if len(words) < run:
        return len(words) >= 3 and f" {' '.join(words)} " in f" {other} "
    return any(" ".join(words[i:i + run]) in other for i in range(len(words) - run + 1))


class Echo:
    def __call__(self, text: str, origin: Origin) -> str | None:
        words = norm_words(text)
        if any(words == norm_words(example) for example in origin.examples):
            return "echo_example"
        if shares_run(text, origin.prompt):
            return "echo_prompt"
        return None

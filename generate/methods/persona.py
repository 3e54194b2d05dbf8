"""Persona-driven Self-Instruct (after Persona Hub, Ge et al., 2024): each task-list prompt asks
for tasks that one person would bring to an assistant, a different person each prompt, drawn
from the HolisticBias lexicon and a list of occupations (generate.personas). The in-context
examples, screening and answers are Self-Instruct's; each row records its persona in
`meta.persona`. With `persona_axis` the groups of one bias-audit axis take turns, so the
prompts are balanced over that axis on purpose.
"""

from __future__ import annotations

import random

from seedling.errors import ConfigError

from generate.methods.self_instruct import SelfInstruct
from generate.personas import Personas


class Persona(SelfInstruct):
    name = "persona"
    shipped = ("persona_continue", "persona_tasks")

    def __init__(self, opts, steering=None):
        super().__init__(opts, steering)
        if not self.tasks.uses("persona"):
            raise ConfigError(f"template {self.tasks.name} does not use `persona`, so every prompt would be the "
                              f"same: start from generate/templates/{self.shipped[0]}.jinja")
        self.personas = Personas(opts.persona_axis)

    def _conditions(self, rng: random.Random, n: int) -> list[tuple[dict, dict]]:
        return [({"persona": p.text}, {"persona": p.meta()}) for p in self.personas.draw(rng, n)]

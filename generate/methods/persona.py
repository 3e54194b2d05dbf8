"""Persona-driven Self-Instruct (after Persona Hub, Ge et al., 2024): each task-list prompt asks
for tasks that one person would bring to an assistant, a different person each prompt, drawn
from the HolisticBias lexicon and a list of occupations (generate.personas). The in-context
examples, screening and answers are Self-Instruct's; each row records its persona in
`meta.persona`. With `persona_axis` the groups of one bias-audit axis take turns, so the
prompts are balanced over that axis on purpose. (Self-Instruct with `steer_persona` does the
same in its steered prompts only.)
"""

from __future__ import annotations

from generate.methods.self_instruct import SelfInstruct


class Persona(SelfInstruct):
    name = "persona"
    shipped = SelfInstruct.with_persona

    def _asks_as_persona(self) -> bool:
        return True

"""Refusals and assistant boilerplate (the core's one phrase list) in the answer's opening."""

from seedling.refusal import is_refusal


def refusal(r) -> bool:
    return is_refusal(r.output[:500])

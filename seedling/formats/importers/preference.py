"""Preference pairs (DPO/ORPO data, TRL's preference format): `prompt`, `chosen`, `rejected`.
The chosen answer is the row's output and the rejected one stays in meta, so an SFT dataset
made from preference data trains on the answer people preferred. `chosen` may be a string or
a chat (UltraFeedback's binarized split repeats the user turn in it)."""

from seedling.formats.importers.prompt_completion import prompt_and_reply

NAME = "preference"


def matches(keys: set[str]) -> bool:
    return {"prompt", "chosen"} <= keys


def convert(row):
    yield prompt_and_reply(row, "chosen", "imported:preference")

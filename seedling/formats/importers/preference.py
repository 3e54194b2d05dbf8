"""Preference pairs (DPO/ORPO data, TRL's preference format): `prompt`, `chosen`, `rejected`.
The chosen answer is the row's output and the rejected one stays in meta, so an SFT dataset
made from preference data trains on the answer people preferred. `chosen` may be a string or
a chat (UltraFeedback's binarized split repeats the user turn in it)."""

from seedling.formats.importers.conversation import parse_messages, turns_to_record

NAME = "preference"


def matches(keys: set[str]) -> bool:
    return {"prompt", "chosen"} <= keys


def convert(row):
    prompt, chosen = row.require("prompt"), row.require("chosen")
    meta = row.rest("prompt", "chosen")
    if isinstance(prompt, str) and isinstance(chosen, str):
        yield row.record(instruction=prompt, output=chosen, source="imported:preference", meta=meta)
        return
    reply = parse_messages(chosen, row, "chosen") if isinstance(chosen, list) else [("assistant", chosen)]
    if not any(role == "user" for role, _ in reply):
        reply = (parse_messages(prompt, row, "prompt") if isinstance(prompt, list) else [("user", prompt)]) + reply
    yield turns_to_record(reply, row, "imported:preference", meta)

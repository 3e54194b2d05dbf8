"""Preference pairs (DPO/ORPO data, TRL's preference format): `prompt`, `chosen`, `rejected`.
The chosen answer is the row's output and the rejected one stays in meta, so an SFT dataset
made from preference data trains on the answer people preferred. `chosen` may be a string or
a chat (UltraFeedback's binarized split repeats the user turn in it). Without `prompt`, as in
Anthropic's HH-RLHF, `chosen` is the whole conversation: a chat, or a transcript in a chat
template ("Human: ... Assistant: ...")."""

from seedling.formats.importers.conversation import parse_messages, turns_to_record
from seedling.formats.importers.prompt_completion import prompt_and_reply
from seedling.formats.importers.templated import chat_turns

NAME = "preference"


def matches(keys: set[str]) -> bool:
    return {"prompt", "chosen"} <= keys or {"chosen", "rejected"} <= keys


def convert(row):
    if "prompt" in row.data:
        yield prompt_and_reply(row, "chosen", "imported:preference")
        return
    chosen = row.require("chosen")
    if isinstance(chosen, list):
        turns = parse_messages(chosen, row, "chosen")
    else:
        turns = chat_turns(chosen, row, "chosen") if isinstance(chosen, str) else None
    if turns is None:
        raise row.fail("without 'prompt', field 'chosen' must be the whole conversation: a list of messages or a "
                       "transcript in a chat template ('Human: ... Assistant: ...', ChatML, ...)")
    yield turns_to_record(turns, row, "imported:preference", row.rest("chosen"))

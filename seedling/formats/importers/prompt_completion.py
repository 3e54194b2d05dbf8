"""TRL prompt/completion: plain strings, or chat lists (prompt turns, then the reply turns)."""

from seedling.formats.importers.conversation import parse_messages, turns_to_record

NAME = "prompt_completion"


def matches(keys: set[str]) -> bool:
    return {"prompt", "completion"} <= keys


def prompt_and_reply(row, reply_key: str, source: str):
    """A record from `prompt` and the reply under `reply_key`: strings map directly; a chat reply
    that repeats the user turn is the whole conversation, else it follows the prompt's turns."""
    prompt, reply = row.require("prompt"), row.require(reply_key)
    meta = row.rest("prompt", reply_key)
    if isinstance(prompt, str) and isinstance(reply, str):
        return row.record(instruction=prompt, output=reply, source=source, meta=meta)
    turns = parse_messages(reply, row, reply_key) if isinstance(reply, list) else [("assistant", reply)]
    if not any(role == "user" for role, _ in turns):
        turns = (parse_messages(prompt, row, "prompt") if isinstance(prompt, list) else [("user", prompt)]) + turns
    return turns_to_record(turns, row, source, meta)


def convert(row):
    yield prompt_and_reply(row, "completion", "imported:prompt_completion")

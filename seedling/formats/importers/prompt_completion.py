"""TRL prompt/completion: plain strings, or chat lists (prompt turns, then the reply turns)."""

from seedling.formats.importers.conversation import parse_messages, turns_to_record

NAME = "prompt_completion"


def matches(keys: set[str]) -> bool:
    return {"prompt", "completion"} <= keys


def convert(row):
    prompt, completion = row.require("prompt"), row.require("completion")
    meta = row.rest("prompt", "completion")
    if isinstance(prompt, str) and isinstance(completion, str):
        yield row.record(
            instruction=prompt, output=completion, source="imported:prompt_completion", meta=meta
        )
        return
    turns = parse_messages(prompt, row, "prompt") + parse_messages(completion, row, "completion")
    yield turns_to_record(turns, row, "imported:prompt_completion", meta)

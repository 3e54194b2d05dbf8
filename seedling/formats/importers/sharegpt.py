"""ShareGPT: {"conversations": [{"from": "human"|"gpt"|"system", "value": ...}, ...]}."""

from seedling.formats.importers.conversation import role_of, turns_to_record

NAME = "sharegpt"


def matches(keys: set[str]) -> bool:
    return "conversations" in keys


def convert(row):
    conversation = row.require("conversations")
    if not isinstance(conversation, list) or not conversation:
        raise row.fail("field 'conversations' must be a non-empty list of turns")
    turns = []
    for n, turn in enumerate(conversation, 1):
        if not isinstance(turn, dict) or "from" not in turn or "value" not in turn:
            raise row.fail(f"conversations turn {n} must be an object with 'from' and 'value'")
        if not isinstance(turn["value"], str):
            raise row.fail(f"conversations turn {n} value must be a string")
        turns.append((role_of(turn["from"], row, n), turn["value"]))
    yield turns_to_record(turns, row, "imported:sharegpt", row.rest("conversations"))

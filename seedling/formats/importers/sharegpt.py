"""ShareGPT: {"conversations": [{"from": "human"|"gpt"|"system", "value": ...}, ...]} (turns
named as OpenAI's {role, content} are read too)."""

from seedling.formats.importers.conversation import parse_messages, turns_to_record

NAME = "sharegpt"


def matches(keys: set[str]) -> bool:
    return "conversations" in keys


def convert(row):
    turns = parse_messages(row.require("conversations"), row, "conversations")
    yield turns_to_record(turns, row, "imported:sharegpt", row.rest("conversations"))

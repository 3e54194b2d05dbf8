"""OpenAI chat format: {"messages": [{"role", "content"}, ...]}."""

from seedling.formats.importers.conversation import parse_messages, turns_to_record

NAME = "messages"


def matches(keys: set[str]) -> bool:
    return "messages" in keys


def convert(row):
    turns = parse_messages(row.require("messages"), row, "messages")
    yield turns_to_record(turns, row, "imported:messages", row.rest("messages"))

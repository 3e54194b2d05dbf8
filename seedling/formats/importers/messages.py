"""OpenAI chat format: {"messages": [{"role", "content"}, ...]}, also under `conversation` (as
LMSYS-Chat-1M names it)."""

from seedling.formats.importers.conversation import parse_messages, turns_to_record

NAME = "messages"
KEYS = ("messages", "conversation")


def matches(keys: set[str]) -> bool:
    return any(k in keys for k in KEYS)


def convert(row):
    key = next((k for k in KEYS if k in row.data), KEYS[0])
    turns = parse_messages(row.require(key), row, key)
    yield turns_to_record(turns, row, "imported:messages", row.rest(key))

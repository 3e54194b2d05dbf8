"""Claude's data export (`conversations.json`): each conversation's `chat_messages` in order,
each from `sender` "human" or "assistant" with its `text` (or `content` parts, of which the text
ones are read)."""

from seedling.formats.importers.conversation import exported_chat, role_of

NAME = "claude"


def matches(keys: set[str]) -> bool:
    return "chat_messages" in keys


def _text(message: dict) -> str:
    if isinstance(message.get("text"), str) and message["text"].strip():
        return message["text"]
    parts = message.get("content") if isinstance(message.get("content"), list) else []
    return "\n\n".join(p["text"] for p in parts if isinstance(p, dict) and p.get("type") == "text"
                       and isinstance(p.get("text"), str))


def convert(row):
    messages = row.require("chat_messages")
    if not isinstance(messages, list):
        raise row.fail("field 'chat_messages' should be a list of messages")
    turns: list[tuple[str, str]] = []
    for n, message in enumerate(messages, 1):
        if not isinstance(message, dict) or "sender" not in message:
            raise row.fail(f"chat_messages item {n} should be an object with a 'sender'")
        role, text = role_of(message["sender"], row, n), _text(message)
        if text.strip():
            turns.append((role, text))
    yield from exported_chat(turns, row, f"imported:{NAME}", row.rest("chat_messages"))

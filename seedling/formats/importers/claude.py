"""Claude's data export (`conversations.json`): each conversation's `chat_messages` in order,
each from `sender` "human" or "assistant" with its `text` (or `content` parts, of which the text
ones are read)."""

from seedling.formats.importers.conversation import role_of, turns_to_record

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
        if not text.strip():
            continue
        if turns and turns[-1][0] == role:
            turns[-1] = (role, f"{turns[-1][1]}\n\n{text}")
        else:
            turns.append((role, text))
    if not any(role == "assistant" for role, _ in turns):
        return
    yield turns_to_record(turns, row, f"imported:{NAME}", row.rest("chat_messages"))

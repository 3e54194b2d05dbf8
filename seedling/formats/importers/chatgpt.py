"""ChatGPT's data export (`conversations.json`): each conversation a tree of messages under
`mapping`, with `current_node` the last message of the branch the person kept. That branch is
read, root to leaf: messages to and from tools (a `recipient` other than "all", role `tool`),
hidden ones, reasoning summaries and image parts are not conversation text and are left out."""

from seedling.formats.importers.conversation import exported_chat

NAME = "chatgpt"
TEXT_TYPES = ("text", "multimodal_text")
ROLES = ("system", "user", "assistant")


def matches(keys: set[str]) -> bool:
    return {"mapping", "current_node"} <= keys


def _branch(mapping: dict, leaf, row) -> list[dict]:
    """The messages from the root to `leaf`."""
    path, seen, node = [], set(), leaf
    while node is not None:
        if not isinstance(node, str):
            raise row.fail(f"a message id should be text; on the way from current_node to the root it is {node!r:.40}")
        if node in seen or node not in mapping:
            raise row.fail(f"mapping has no message {node!r} on the way from current_node to the root"
                           if node not in mapping else f"mapping loops at message {node!r}")
        seen.add(node)
        entry = mapping[node]
        if isinstance(entry, dict) and isinstance(entry.get("message"), dict):
            path.append(entry["message"])
        node = entry.get("parent") if isinstance(entry, dict) else None
    return path[::-1]


def _spoken(message: dict) -> tuple[str, str] | None:
    """(role, text) of a message people see in the conversation, else None."""
    role, content = _object(message.get("author")).get("role"), _object(message.get("content"))
    if role not in ROLES or message.get("recipient", "all") != "all" or content.get("content_type") not in TEXT_TYPES:
        return None
    if _object(message.get("metadata")).get("is_visually_hidden_from_conversation"):
        return None
    parts = content.get("parts") if isinstance(content.get("parts"), list) else []
    text = "\n\n".join(p for p in parts if isinstance(p, str) and p.strip())
    return (role, text) if text.strip() else None


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def convert(row):
    mapping = row.require("mapping")
    if not isinstance(mapping, dict):
        raise row.fail("field 'mapping' should be an object of messages by id")
    spoken = [turn for message in _branch(mapping, row.require("current_node"), row) if (turn := _spoken(message))]
    yield from exported_chat(spoken, row, f"imported:{NAME}", row.rest("mapping", "current_node"))

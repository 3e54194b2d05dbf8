"""Chat turns to one instruction-output pair, shared by the chat formats.

Leading system turns go to meta["system"], and assistant turns before the first user turn (a
greeting the assistant opens with) to meta["opening_turns"]; the first user turn is the
instruction and the assistant turn after it the output. Later turns are kept in
meta["extra_turns"]. The messages exporter writes all of them back, so a conversation is never
cut silently.
"""

ROLE_ALIASES = {
    "system": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
    "model": "assistant",
}


def text_of(content, row, n):
    """OpenAI content is a string or a list of parts; only text parts fit a text model."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else type(part).__name__
            if kind != "text":
                raise row.fail(f"turn {n} has a {kind!r} part; only text parts are supported")
            texts.append(part.get("text", ""))
        return "".join(texts)
    raise row.fail(f"turn {n} content must be a string, got {type(content).__name__}")


def turns_to_record(turns, row, source, meta):
    """`turns` is a list of (role, text) with roles already mapped through ROLE_ALIASES;
    `meta` holds the row's fields that are not turns."""
    i = _first_user(turns)
    if i == len(turns):
        raise row.fail("conversation has no user turn")
    if i + 1 >= len(turns) or turns[i + 1][0] != "assistant":
        raise row.fail("the first user turn has no assistant reply after it")
    system = [text for role, text in turns[:i] if role == "system"]
    opening = [{"role": role, "content": text} for role, text in turns[:i] if role == "assistant"]
    meta = dict(meta)
    if system:
        meta["system"] = "\n\n".join(system)
    if opening:
        meta["opening_turns"] = opening
    if turns[i + 2 :]:
        meta["extra_turns"] = [{"role": r, "content": t} for r, t in turns[i + 2 :]]
    return row.record(
        instruction=turns[i][1], input="", output=turns[i + 1][1], source=source, meta=meta
    )


def exported_chat(turns, row, source, meta):
    """A person's exported conversation (ChatGPT's, Claude's) as a record, none where nobody
    asked or nobody answered. Turns of one role in a row (an answer resumed after a tool ran,
    two messages sent at once) are one turn."""
    joined = []
    for role, text in turns:
        if joined and joined[-1][0] == role:
            joined[-1] = (role, f"{joined[-1][1]}\n\n{text}")
        else:
            joined.append((role, text))
    if any(role == "assistant" for role, _ in joined[_first_user(joined):]):
        yield turns_to_record(joined, row, source, meta)


def _first_user(turns) -> int:
    """Where the first user turn is; len(turns) where there is none."""
    return next((k for k, (role, _) in enumerate(turns) if role == "user"), len(turns))


def role_of(name, row, n):
    role = ROLE_ALIASES.get(str(name).lower())
    if role is None:
        raise row.fail(f"turn {n} has unknown role {name!r}")
    return role


def parse_messages(messages, row, field):
    """Chat turns into (role, text) turns: OpenAI's {role, content} or ShareGPT's {from, value},
    whichever the field holds (datasets mix the two names)."""
    if not isinstance(messages, list) or not messages:
        raise row.fail(f"field {field!r} must be a non-empty list of messages")
    turns = []
    for n, m in enumerate(messages, 1):
        names = next((pair for pair in (("role", "content"), ("from", "value")) if isinstance(m, dict)
                      and pair[0] in m and pair[1] in m), None)
        if names is None:
            raise row.fail(f"{field} turn {n} must be an object with 'role' and 'content' (or 'from' and 'value')")
        turns.append((role_of(m[names[0]], row, n), text_of(m[names[1]], row, n)))
    return turns

"""Prompts without answers (user queries, seed instructions): `instruction`, `prompt`,
`question` or `query`, optionally `input`/`context`. Each becomes a record whose output is "" and whose source is
`imported:prompts`, so later stages can tell a prompt-only dataset from one with answers."""

from seedling.record import PROMPTS_SOURCE

NAME = "prompts"
PROMPT_FIELDS = ("instruction", "prompt", "question", "query")  # the first a row has is its prompt
ANSWER_FIELDS = {"output", "response", "completion", "answer", "chosen", "instances", "conversations", "messages"}


def matches(keys: set[str]) -> bool:
    return bool(set(PROMPT_FIELDS) & keys) and not ANSWER_FIELDS & keys


def convert(row):
    answers = sorted(ANSWER_FIELDS & set(row.data))
    if answers:
        raise row.fail(f"has an answer ({answers[0]!r}) in a file read as prompts without answers (its first "
                       "row had none); name the format with --format")
    key = next((k for k in PROMPT_FIELDS if k in row.data), PROMPT_FIELDS[0])
    context = "input" if "input" in row.data else "context"
    yield row.record(
        instruction=row.require(key),
        input=row.data.get(context, ""),
        output="",
        source=PROMPTS_SOURCE,
        meta=row.rest(key, context),
        prompt_only=True,
    )

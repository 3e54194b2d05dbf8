"""Prompts without answers (user queries, seed instructions): `instruction`, `prompt`,
`question` or `query`, optionally `input`/`context`. Each becomes a record whose output is "" and whose source is
`imported:prompts`, so later stages can tell a prompt-only dataset from one with answers."""

from seedling.formats.importers.row import folded
from seedling.record import PROMPTS_SOURCE

NAME = "prompts"
PROMPT_FIELDS = ("instruction", "prompt", "question", "query")  # the first a row has is its prompt
ANSWER_FIELDS = {"output", "response", "completion", "answer", "chosen", "instances", "conversations", "messages"}


def _answers(keys) -> list[str]:
    """Answer fields in any case: a "Response" column is an answer, not a prompt's metadata."""
    return sorted(k for k in keys if folded(k) in ANSWER_FIELDS)


def matches(keys: set[str]) -> bool:
    return bool(set(PROMPT_FIELDS) & keys) and not _answers(keys)


def convert(row):
    answers = _answers(row.data)
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

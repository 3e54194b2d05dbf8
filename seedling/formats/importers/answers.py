"""Several answers to one prompt in one row, as pools of model answers are published:
UltraFeedback's `completions` ([{model, response, overall_score, ...}]), Nectar's `answers`
([{answer, model, rank}]), or a list of answer texts. Each answer becomes a record, its own
fields (model, scores, rank) and the row's in meta, so a pool reads as a pool: read as prompts
alone, the answers would sit unseen in meta."""

from seedling.errors import DataError
from seedling.formats.importers.prompts import PROMPT_FIELDS
from seedling.formats.importers.row import Row
from seedling.formats.importers.templated import turns_of

NAME = "answers"
LIST_FIELDS = ("completions", "answers", "responses", "generations", "outputs")
TEXT_FIELDS = ("response", "answer", "output", "completion", "text", "generation", "content")


def matches(keys: set[str]) -> bool:
    return bool(set(PROMPT_FIELDS) & keys) and bool(set(LIST_FIELDS) & keys)


def _answer(item, row) -> tuple[str, dict]:
    if isinstance(item, str):
        return item, {}
    key = next((k for k in TEXT_FIELDS if k in item), None) if isinstance(item, dict) else None
    if key is None:
        raise row.fail(f"is neither text nor an object with one of {list(TEXT_FIELDS)}")
    return item[key], {k: v for k, v in item.items() if k != key}


def _asked(text):
    """A prompt in a chat template with one question ("Human: ... Assistant:", as Nectar's) is
    that question; a longer conversation stays whole, as the answers reply to all of it."""
    turns = turns_of(text) if isinstance(text, str) else None
    if turns and turns[-1][0] == "assistant" and not turns[-1][1]:
        turns = turns[:-1]
    return turns[0][1] if turns and len(turns) == 1 and turns[0][0] in ("human", "user") else text


def convert(row):
    prompt = next(k for k in PROMPT_FIELDS if k in row.data)
    listed = next(k for k in LIST_FIELDS if k in row.data)
    items = row.data[listed]
    if not isinstance(items, list) or not items:
        raise row.fail(f"field {listed!r} should be a list of answers to {prompt!r}; it is {items!r:.60}")
    asked = _asked(row.require(prompt))
    context = "input" if "input" in row.data else "context"
    shared = row.rest(prompt, listed, context)
    for n, item in enumerate(items, 1):
        one = Row(row.data, row.path, f"{row.where or 'row'}, answer {n} of {listed!r}")
        try:
            text, own = _answer(item, one)
            yield one.record(instruction=asked, input=row.data.get(context, ""), output=text,
                             source=f"imported:{NAME}", meta={**shared, **own, "answer_number": n})
        except DataError as exc:
            yield exc  # one bad answer of a pool is skipped alone under --skip-invalid, not its prompt's others

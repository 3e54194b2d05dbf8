"""Importers turn one row of a public format into contract records.

Each importer is a small module with `NAME`, `matches(keys) -> bool` and
`convert(row: Row) -> Iterable[Record]` (or a `Fields`, for a format that only renames the
contract's fields); an importer that reads several records from a row yields a bad one as a
DataError, so that only it is skipped; registering one is a line in IMPORTERS. A format of
one message a row (OpenAssistant's trees) has `convert_file(rows, notes)` instead, as a record
needs the rows of its whole conversation. Detection
tries them in order, so the more specific formats come before Alpaca's bare
instruction/output, and prompts without answers come last, after a prompt with a list of
answers.
"""

from __future__ import annotations

from types import ModuleType

from seedling.formats.importers import (
    answers,
    chatgpt,
    claude,
    contract,
    messages,
    oasst,
    preference,
    prompt_completion,
    prompts,
    self_instruct,
    sharegpt,
    templated,
)
from seedling.formats.importers.fields import (
    Fields,
    alpaca,
    dolly,
    input_output,
    inputs_targets,
    prompt_response,
    query_response,
    question_answer,
    question_response,
)
from seedling.formats.importers.row import Row

IMPORTERS: dict[str, ModuleType | Fields] = {
    m.NAME: m
    for m in (contract, oasst, chatgpt, claude, self_instruct, dolly, sharegpt, messages, prompt_completion,
              preference, prompt_response, query_response, question_answer, question_response, inputs_targets, alpaca,
              input_output, answers, prompts, templated)
}

__all__ = ["IMPORTERS", "Row", "detect_importer"]


def detect_importer(keys: set[str]) -> ModuleType | Fields | None:
    return next((m for m in IMPORTERS.values() if m.matches(keys)), None)

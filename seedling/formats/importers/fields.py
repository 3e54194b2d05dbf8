"""Formats whose rows are the contract's three fields under their own names, one importer a
naming: Stanford Alpaca (instruction, input that may be absent or empty, output), Databricks
Dolly 15k (instruction, context, response; its category goes to meta), and the namings most
question-answer and chat exports use (question/answer as GSM8K, question/response as OpenOrca,
prompt/response, query/response as MetaMathQA, inputs/targets as FLAN and xP3, input/output
alone); the fields a naming does not take go to meta, a system prompt (`system_prompt` as
OpenOrca's, or `system`) to meta's `system`, where the chat readers put it and the writers and
tune look for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fields:
    """An importer (NAME, matches, convert, as the modules beside it) for one naming."""

    NAME: str
    instruction: str
    input: str | None
    output: str

    def matches(self, keys: set[str]) -> bool:
        return {self.instruction, self.output} <= keys

    def convert(self, row):
        meta = row.rest(self.instruction, self.input, self.output)
        system = next((k for k in SYSTEM_FIELDS if isinstance(meta.get(k), str)), None)
        if system is not None and (text := meta.pop(system)).strip():
            meta["system"] = text
        yield row.record(
            instruction=row.require(self.instruction),
            input=row.data.get(self.input, "") if self.input else "",
            output=row.require(self.output),
            source=f"imported:{self.NAME}",
            meta=meta,
        )


SYSTEM_FIELDS = ("system_prompt", "system")


alpaca = Fields("alpaca", "instruction", "input", "output")
dolly = Fields("dolly", "instruction", "context", "response")
question_answer = Fields("question_answer", "question", "context", "answer")
question_response = Fields("question_response", "question", "context", "response")
prompt_response = Fields("prompt_response", "prompt", "input", "response")
query_response = Fields("query_response", "query", "input", "response")
inputs_targets = Fields("inputs_targets", "inputs", None, "targets")
input_output = Fields("input_output", "input", None, "output")  # after alpaca: its rows have both

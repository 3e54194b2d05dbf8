"""Formats whose rows are the contract's three fields under their own names, one importer a
naming: Stanford Alpaca (instruction, input that may be absent or empty, output), Databricks
Dolly 15k (instruction, context, response; its category goes to meta), and the namings most
question-answer and chat exports use (question/answer as GSM8K, question/response as OpenOrca,
prompt/response, query/response as MetaMathQA); the fields a naming does not take go to meta."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fields:
    """An importer (NAME, matches, convert, as the modules beside it) for one naming."""

    NAME: str
    instruction: str
    input: str
    output: str

    def matches(self, keys: set[str]) -> bool:
        return {self.instruction, self.output} <= keys

    def convert(self, row):
        yield row.record(
            instruction=row.require(self.instruction),
            input=row.data.get(self.input, ""),
            output=row.require(self.output),
            source=f"imported:{self.NAME}",
            meta=row.rest(self.instruction, self.input, self.output),
        )


alpaca = Fields("alpaca", "instruction", "input", "output")
dolly = Fields("dolly", "instruction", "context", "response")
question_answer = Fields("question_answer", "question", "context", "answer")
question_response = Fields("question_response", "question", "context", "response")
prompt_response = Fields("prompt_response", "prompt", "input", "response")
query_response = Fields("query_response", "query", "input", "response")

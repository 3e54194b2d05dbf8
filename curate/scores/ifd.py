"""IFD, instruction-following difficulty (Cherry LLM; Superfiltering scores it with a small
model): how much the instruction helps a causal LM predict the answer.

    ifd = mean answer NLL given the instruction / mean answer NLL given an empty user turn

the ratio of per-token losses, as the papers' code computes it. Both passes score the same
answer tokens (the reply and its end-of-turn) under the same chat template, so only the
instruction differs. ifd >= 1: the instruction does not help (a mismatched or generic answer),
flagged `answer_ignores_instruction`. `answer_nll` is the conditioned mean NLL per token.

IFD cannot see an answer that stops mid-way: its first third follows from the instruction as
well as the whole does. `end_nll` can: the NLL of the end-of-turn token right after the
answer, given the instruction, read from the same conditioned pass (no extra forward). A
finished answer, one word or a page, is followed by end-of-turn at a few nats; an answer cut
mid-sentence at 10-20, flagged `answer_looks_unfinished` past END_NATS. None for answers of
SHORT_ANSWER_WORDS words or fewer (after "Pindus" or "the sun" a 135M model expects a sentence
to go on, whatever the instruction asked) and for answers longer than `max_answer` tokens."""

from __future__ import annotations

from typing import Any, Callable

from seedling.nll import chat_prompt, render, token_nll
from seedling.record import Record
from seedling.text import SHORT_ANSWER_WORDS, strip_markers

FLAG = "answer_ignores_instruction"
UNFINISHED = "answer_looks_unfinished"
# End-of-turn NLL past which an answer looks unfinished. With the embedded 135M model, finished
# answers of more than three words, from the seed tasks and from a real dataset, stay below
# 8.3 nats in 95 % of rows; the seed tasks' answers cut to their first third sit at 8-20.
END_NATS = 8.0


class IFDScorer:
    name = "ifd"

    def __init__(self, model: str | None = None, dtype: str = "auto", batch_tokens: int = 4096,
                 max_length: int = 768, max_answer: int = 256):
        from seedling.device import choose_dtype
        from seedling.models import model_revision, resolve_causal_lm

        self.model_spec = model
        self.path = resolve_causal_lm(model)
        self.revision = model_revision(self.path)
        self.dtype = choose_dtype(dtype)
        self.batch_tokens, self.max_length, self.max_answer = batch_tokens, max_length, max_answer
        self.tokens = 0  # tokens through the model, both passes: for tokens/s
        self._loaded: tuple[Any, Any] | None = None

    @classmethod
    def from_options(cls, opts) -> "IFDScorer":
        return cls(opts.ifd_model, opts.ifd_dtype, opts.ifd_batch_tokens)

    def settings(self) -> dict[str, Any]:
        return {"scorer": "ifd", "columns": ["ifd", "answer_nll", "end_nll"], "end_min_words": SHORT_ANSWER_WORDS + 1, "model": self.model_spec or "embedded SmolLM2-135M-Instruct",
                "revision": self.revision, "dtype": self.dtype.name,
                "max_length": self.max_length, "max_answer": self.max_answer}

    def _model(self):
        if self._loaded is None:
            from seedling.models import load_causal_lm

            self._loaded = load_causal_lm(self.path, self.dtype.name)
        return self._loaded

    def pairs(self, tokenizer, record: Record, empty: list[int]) -> tuple[tuple[list[int], int], tuple[list[int], int]]:
        """(conditioned, unconditioned) token ids with their prompt lengths; the answer keeps
        its first `max_answer` tokens, the prompt its last tokens that fit `max_length`."""
        prompt, reply = render(tokenizer, chat_prompt(record), record.output)
        reply = reply[: self.max_answer]
        prompt = prompt[-(self.max_length - len(reply)):]
        return (prompt + reply, len(prompt)), (empty + reply, len(empty))

    def score(self, records: list[Record], advance: Callable[[int], None] = lambda n: None) -> list[dict[str, Any]]:
        model, tokenizer = self._model()
        empty, end_of_turn = render(tokenizer, [{"role": "user", "content": ""}], "")
        conditioned, unconditioned = zip(*(self.pairs(tokenizer, r, empty) for r in records)) if records else ((), ())
        sequences = list(conditioned) + list(unconditioned)
        self.tokens += sum(len(ids) for ids, _ in sequences)
        done = [0]

        def step(n: int) -> None:  # two sequences a row
            advance((done[0] + n) // 2 - done[0] // 2)
            done[0] += n

        nll = token_nll(model, sequences, self.batch_tokens, advance=step)
        out = []
        for record, (ids, n_prompt), c, u in zip(records, conditioned, nll[: len(records)], nll[len(records):]):
            short = len(strip_markers(record.output).split()) <= SHORT_ANSWER_WORDS
            end = _end_position(ids[n_prompt:], end_of_turn[0]) if end_of_turn and not short else None
            out.append({"ifd": round(sum(c) / sum(u), 4) if sum(u) > 0 else None,
                        "answer_nll": round(sum(c) / len(c), 4) if c else None,
                        "end_nll": round(c[end], 4) if end is not None and end < len(c) else None})
        return out

    def flags(self, value: dict[str, Any]) -> list[str]:
        return ([FLAG] if value.get("ifd") is not None and value["ifd"] >= 1 else []) + \
            ([UNFINISHED] if value.get("end_nll") is not None and value["end_nll"] > END_NATS else [])

    def summary(self, values: list[dict[str, Any]]) -> dict[str, Any]:
        return {"flagged": sum(1 for v in values if self.flags(v)), "unscored": sum(1 for v in values if v.get("ifd") is None),
                "dtype_reason": self.dtype.reason}


def _end_position(reply: list[int], end_of_turn: int) -> int | None:
    """Where the end-of-turn token follows the answer in `reply` (None: cut off before it)."""
    return max((i for i, token in enumerate(reply) if token == end_of_turn), default=None)

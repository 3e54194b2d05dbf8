"""IFD, instruction-following difficulty (Cherry LLM; Superfiltering scores it with a small
model): how much the instruction helps a causal LM predict the answer.

    ifd = mean answer NLL given the instruction / mean answer NLL given an empty user turn

the ratio of per-token losses, as the papers' code computes it. Both passes score the same
answer tokens (the reply and its end-of-turn) under the same chat template, so only the
instruction differs. ifd >= 1: the instruction does not help (a mismatched or generic answer),
flagged `answer_ignores_instruction`. `answer_nll` is the conditioned mean NLL per token."""

from __future__ import annotations

from typing import Any, Callable

from seedling.nll import answer_nll, chat_prompt, render
from seedling.record import Record

FLAG = "answer_ignores_instruction"


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
        return {"scorer": "ifd", "model": self.model_spec or "embedded SmolLM2-135M-Instruct",
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
        empty = render(tokenizer, [{"role": "user", "content": ""}], "")[0]
        conditioned, unconditioned = zip(*(self.pairs(tokenizer, r, empty) for r in records)) if records else ((), ())
        sequences = list(conditioned) + list(unconditioned)
        self.tokens += sum(len(ids) for ids, _ in sequences)
        done = [0]

        def step(n: int) -> None:  # two sequences a row
            advance((done[0] + n) // 2 - done[0] // 2)
            done[0] += n

        nll = answer_nll(model, sequences, self.batch_tokens, advance=step)
        out = []
        for (c_sum, c_tokens), (u_sum, _) in zip(nll[: len(records)], nll[len(records):]):
            out.append({"ifd": round(c_sum / u_sum, 4) if u_sum > 0 else None,
                        "answer_nll": round(c_sum / c_tokens, 4) if c_tokens else None})
        return out

    def flags(self, value: dict[str, Any]) -> list[str]:
        return [FLAG] if value.get("ifd") is not None and value["ifd"] >= 1 else []

    def summary(self, values: list[dict[str, Any]]) -> dict[str, Any]:
        return {"flagged": sum(1 for v in values if self.flags(v)), "unscored": sum(1 for v in values if v.get("ifd") is None),
                "dtype_reason": self.dtype.reason}

"""Fit a tokenized prompt into the model's context window, or say why it cannot be run.

`skip` drops a prompt whose tokens plus the requested new tokens overflow the context;
`truncate` keeps the prompt's end (the chat template's generation prompt lives there) and
cuts its beginning. Either way the caller gets a reason to count, never an engine crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from seedling.teachers.protocol import Chat, Completion, OnDone, Sampling, skipped

Overflow = Literal["skip", "truncate"]
MIN_NEW_TOKENS = 16


def fit_prompt(ids: list[int], context: int, max_tokens: int, overflow: Overflow) -> tuple[list[int], int, str | None]:
    """Return (ids, max_new_tokens, reason); reason is None when the prompt fits untouched,
    "prompt_too_long" when it is skipped (ids empty), "prompt_truncated" when cut."""
    if len(ids) + max_tokens <= context:
        return ids, max_tokens, None
    if overflow == "truncate":
        new = min(max_tokens, max(MIN_NEW_TOKENS, context // 4))
        keep = context - new
        if keep > 0:
            return ids[-keep:], new, "prompt_truncated"
    if len(ids) + MIN_NEW_TOKENS <= context:
        return ids, context - len(ids), "max_tokens_clipped"
    return [], 0, "prompt_too_long"


@dataclass(frozen=True)
class Fitted:
    """A prompt ready to run: its place in the call, its token ids, its budget, and any note."""

    index: int
    ids: list[int]
    max_new: int
    note: str | None


def fit_chats(tokenizer, prompts: list[Chat], context: int, max_tokens: int,
              overflow: Overflow) -> tuple[list[Completion | None], list[Fitted]]:
    """Template and tokenize each chat, then fit it; a prompt that cannot run is already
    answered in the returned list (as skipped, with its reason), the others are to run."""
    return _fit([list(tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=True,
                                                    return_dict=False)) for chat in prompts],
                context, max_tokens, overflow)


def fit_texts(tokenizer, texts: list[str], context: int, max_tokens: int,
              overflow: Overflow) -> tuple[list[Completion | None], list[Fitted]]:
    """As fit_chats for plain text continued as it is: special tokens written in the text (a
    chat template's markers) are read as the special tokens they name, and no BOS is added."""
    return _fit([list(tokenizer(text, add_special_tokens=False)["input_ids"]) for text in texts],
                context, max_tokens, overflow)


def _fit(encoded: list[list[int]], context: int, max_tokens: int,
         overflow: Overflow) -> tuple[list[Completion | None], list[Fitted]]:
    results: list[Completion | None] = [None] * len(encoded)
    runnable = []
    for i, ids in enumerate(encoded):
        fitted, max_new, note = fit_prompt(ids, context, max_tokens, overflow)
        if fitted:
            runnable.append(Fitted(i, fitted, max_new, note))
        else:
            results[i] = skipped(note or "prompt_too_long", len(ids))
    return results, runnable


class FittingEngine:
    """`complete` and `complete_raw` for a local engine (tokenizer, context, overflow) that runs
    the fitted prompts in its own `_run`."""

    def complete(self, prompts: list[Chat], sampling: Sampling, on_done: OnDone | None = None) -> list[Completion]:
        return self._run(*fit_chats(self.tokenizer, prompts, self.context, sampling.max_tokens, self.overflow),
                         sampling, on_done)

    def complete_raw(self, texts: list[str], sampling: Sampling, on_done: OnDone | None = None) -> list[Completion]:
        return self._run(*fit_texts(self.tokenizer, texts, self.context, sampling.max_tokens, self.overflow),
                         sampling, on_done)


def pre_query_template(tokenizer) -> str:
    """Magpie's pre-query template: what the model's chat template writes before a user's
    words (any default system turn, then the user-turn header)."""
    marker = "\u2063SEEDLING-QUERY\u2063"
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": marker}], tokenize=False,
                                             add_generation_prompt=False)
    if marker not in rendered:
        raise ValueError("the chat template does not put the user's message into the prompt")
    return rendered[: rendered.index(marker)]

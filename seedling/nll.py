"""Per-token negative log-likelihood of answers under a causal LM: how surprised a model is by
the answers we want it to give. In the core because tune (held-out NLL) and curate (IFD) both
need it. Only answer tokens are scored, and only their positions get logits: a long prompt costs
its forward pass but no projection onto the vocabulary."""

from __future__ import annotations

from typing import Callable, Sequence

from seedling.record import Record

Pair = tuple[list[int], int]  # token ids, and how many of them are prompt (not scored)


def chat_prompt(record: Record) -> list[dict[str, str]]:
    """The user turn (with the record's system prompt, if it came with one)."""
    turns = [{"role": "system", "content": record.meta["system"]}] if record.meta.get("system") else []
    return turns + [{"role": "user", "content": record.prompt}]


def render(tokenizer, prompt: list[dict[str, str]], answer: str) -> tuple[list[int], list[int]]:
    """Token ids of the chat-templated prompt and of the reply that follows it. The reply is
    the suffix of the rendered conversation, tokenised on its own so the boundary is exact."""
    prompt_text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    full_text = tokenizer.apply_chat_template(prompt + [{"role": "assistant", "content": answer}], tokenize=False)
    if not full_text.startswith(prompt_text):
        raise ValueError("the chat template renders the prompt differently when a reply follows it")
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    reply_ids = tokenizer(full_text[len(prompt_text):], add_special_tokens=False)["input_ids"]
    return prompt_ids, reply_ids


def encode_pair(tokenizer, record: Record, max_length: int) -> Pair:
    """Prompt + reference, cut at max_length (the reference loses its tail first)."""
    prompt_ids, reply_ids = render(tokenizer, chat_prompt(record), record.output)
    ids = (prompt_ids + reply_ids)[:max_length]
    return ids, min(len(prompt_ids), len(ids))


def batches(pairs: Sequence[Pair], batch_tokens: int, max_rows: int | None = None) -> list[list[int]]:
    """Indices of `pairs` grouped by length (shortest first) so a batch pads little: each batch
    holds at most `batch_tokens` padded tokens (and `max_rows` rows)."""
    order = sorted(range(len(pairs)), key=lambda i: (len(pairs[i][0]), len(pairs[i][0]) - pairs[i][1]))
    out: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = len(pairs[i][0])  # ascending order: the row being added is the widest
        if current and ((len(current) + 1) * width > batch_tokens or (max_rows and len(current) >= max_rows)):
            out.append(current)
            current = []
        current.append(i)
    if current:
        out.append(current)
    return out


def _batch_nll(model, pairs: list[Pair]) -> list[tuple[float, int]]:
    """One left-padded batch: positions count from each row's first real token, so padding
    changes nothing, and logits are kept for the last (longest answer + 1) positions only."""
    import torch

    device = next(model.parameters()).device
    width = max(len(ids) for ids, _ in pairs)
    answer = max(len(ids) - n for ids, n in pairs)
    input_ids = torch.zeros((len(pairs), width), dtype=torch.long)
    attention = torch.zeros((len(pairs), width), dtype=torch.long)
    targets = torch.full((len(pairs), answer), -100, dtype=torch.long)
    for row, (ids, n_prompt) in enumerate(pairs):
        input_ids[row, width - len(ids):] = torch.tensor(ids)
        attention[row, width - len(ids):] = 1
        scored = ids[n_prompt:]
        if scored:
            targets[row, answer - len(scored):] = torch.tensor(scored)
    positions = (attention.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        logits = model(input_ids=input_ids.to(device), attention_mask=attention.to(device),
                       position_ids=positions.to(device), logits_to_keep=answer + 1).logits
    # logits at position t predict token t + 1: the kept block's first `answer` positions
    # predict the last `answer` tokens
    logits = logits[:, :answer].float()
    target = targets.to(device)
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                            ignore_index=-100, reduction="none").view(target.shape)
    counts = (target != -100).sum(dim=1)
    return [(float(s), int(k)) for s, k in zip(nll.sum(dim=1).tolist(), counts.tolist())]


def answer_nll(model, pairs: Sequence[Pair], batch_tokens: int = 4096, max_rows: int | None = None,
               advance: Callable[[int], None] | None = None) -> list[tuple[float, int]]:
    """(summed NLL, scored tokens) per pair, in input order; a pair with no answer tokens left
    scores (0.0, 0). `advance(n)` is told after each batch how many pairs it finished."""
    results: list[tuple[float, int]] = [(0.0, 0)] * len(pairs)
    for group in batches(pairs, batch_tokens, max_rows):
        live = [i for i in group if len(pairs[i][0]) > pairs[i][1]]
        if live:
            for i, value in zip(live, _batch_nll(model, [pairs[i] for i in live])):
                results[i] = value
        if advance:
            advance(len(group))
    return results


def completion_nll(model, tokenizer, records: list[Record], batch_size: int, max_length: int) -> list[tuple[float, int]]:
    """(summed NLL, scored tokens) per record; a record whose reference is cut off entirely by
    max_length scores (0.0, 0) and is left out of the means."""
    pairs = [encode_pair(tokenizer, r, max_length) for r in records]
    return answer_nll(model, pairs, batch_tokens=batch_size * max_length, max_rows=batch_size)

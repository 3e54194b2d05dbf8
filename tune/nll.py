"""Per-token negative log-likelihood of reference outputs: how surprised a model is by the
answers we want it to give. Lower is better; tokens of the prompt are not scored."""

from __future__ import annotations

from seedling.record import Record
from tune.data import chat_prompt


def encode_pair(tokenizer, record: Record, max_length: int) -> tuple[list[int], int]:
    """Token ids of prompt + reference, and how many of them are prompt. The chat template
    renders both; the reference is the suffix, tokenised on its own so the boundary is exact."""
    prompt = chat_prompt(record)
    prompt_text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    full_text = tokenizer.apply_chat_template(
        prompt + [{"role": "assistant", "content": record.output}], tokenize=False
    )
    if not full_text.startswith(prompt_text):
        raise ValueError("the chat template renders the prompt differently when a reply follows it")
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    reply_ids = tokenizer(full_text[len(prompt_text):], add_special_tokens=False)["input_ids"]
    ids = (prompt_ids + reply_ids)[:max_length]
    return ids, min(len(prompt_ids), len(ids))


def completion_nll(model, tokenizer, records: list[Record], batch_size: int, max_length: int) -> list[tuple[float, int]]:
    """(summed NLL, scored tokens) per record; a record whose reference is cut off entirely by
    max_length scores (0.0, 0) and is left out of the means."""
    import torch

    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    results: list[tuple[float, int]] = []
    for start in range(0, len(records), batch_size):
        pairs = [encode_pair(tokenizer, r, max_length) for r in records[start : start + batch_size]]
        width = max(len(ids) for ids, _ in pairs)
        input_ids = torch.full((len(pairs), width), pad, dtype=torch.long)
        attention = torch.zeros((len(pairs), width), dtype=torch.long)
        labels = torch.full((len(pairs), width), -100, dtype=torch.long)
        for i, (ids, n_prompt) in enumerate(pairs):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            attention[i, : len(ids)] = 1
            labels[i, n_prompt : len(ids)] = torch.tensor(ids[n_prompt:], dtype=torch.long)
        with torch.no_grad():
            logits = model(input_ids=input_ids.to(device), attention_mask=attention.to(device)).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1)
        target = labels[:, 1:].to(device)
        scored = target != -100
        picked = logprobs.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        nll = -(picked * scored).sum(dim=1)
        results.extend((float(n), int(k)) for n, k in zip(nll.tolist(), scored.sum(dim=1).tolist()))
    return results

"""Per-token negative log-likelihood of answers under a causal LM: how surprised a model is by
the answers we want it to give. In the core because tune (held-out NLL) and curate (IFD) both
need it. Only answer tokens are scored, and only their positions are projected onto the
vocabulary: a long prompt costs its forward pass, not a (tokens x vocabulary) logits matrix."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from seedling.record import Record

if TYPE_CHECKING:
    import torch

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


LOGIT_TRANSFORMS = ("final_logit_softcapping", "logit_scale", "logits_scaling")
CHUNK = 1024  # answer tokens projected onto the vocabulary at a time: bounds the logits' memory


MIN_PREFIX = 8  # shared tokens worth a cached prefix (a chat template's system turn is ~20-30)


def shared_prefix(pairs: Sequence[Pair]) -> int:
    """How many leading tokens every pair shares, short of its first scored position (the
    position before its first answer token must be computed, not cached)."""
    if not pairs:
        return 0
    first, n = pairs[0][0], min(k for _, k in pairs) - 1
    for ids, _ in pairs:
        n = next((j for j, (a, b) in enumerate(zip(first[:n], ids)) if a != b), min(n, len(ids)))
    return max(n, 0)


def _decoder_and_head(model):
    """The decoder and vocabulary projection; None when the model transforms its logits after
    the projection (then the caller asks the whole model for logits, with no prefix cache)."""
    config = getattr(model, "config", None)
    if any(getattr(config, name, None) for name in LOGIT_TRANSFORMS) or not hasattr(model, "get_decoder"):
        return None
    return model.get_decoder(), model.get_output_embeddings()


class Prefix:
    """Keys and values of the tokens every row starts with (a chat template's system turn),
    computed once and lent to each batch: those positions' forward pass is not repeated."""

    def __init__(self, decoder, ids: list[int], device):
        import torch

        self.length = len(ids)
        cache = decoder(input_ids=torch.tensor([ids], device=device), use_cache=True).past_key_values
        self.layers = [(layer.keys, layer.values) for layer in cache.layers]
        self.config = decoder.config

    def cache(self, rows: int):
        from transformers import DynamicCache

        cache = DynamicCache(config=self.config)
        for index, (keys, values) in enumerate(self.layers):
            cache.update(keys.expand(rows, -1, -1, -1).contiguous(), values.expand(rows, -1, -1, -1).contiguous(),
                         index)
        return cache


def _batch_nll(model, pairs: list[Pair], prefix: Prefix | None) -> list[torch.Tensor]:
    """One right-padded batch (padding after a row's last token changes none of its causal
    outputs), its first `prefix.length` tokens taken from the prefix cache; only the positions
    that predict answer tokens are projected onto the vocabulary, CHUNK tokens at a time."""
    import torch

    device = next(model.parameters()).device
    skip = prefix.length if prefix else 0
    width = max(len(ids) for ids, _ in pairs) - skip
    input_ids = torch.zeros((len(pairs), width), dtype=torch.long)
    attention = torch.zeros((len(pairs), skip + width), dtype=torch.long)
    attention[:, :skip] = 1
    rows, cols, targets = [], [], []
    for row, (ids, n_prompt) in enumerate(pairs):
        rest = ids[skip:]
        input_ids[row, :len(rest)] = torch.tensor(rest)
        attention[row, skip:skip + len(rest)] = 1
        rows += [row] * (len(ids) - n_prompt)
        cols += range(n_prompt - skip - 1, len(rest) - 1)  # position t predicts token t + 1
        targets += ids[n_prompt:]
    inputs = {"input_ids": input_ids.to(device), "attention_mask": attention.to(device),
              "position_ids": torch.arange(skip, skip + width, device=device).expand(len(pairs), -1)}
    rows_t, cols_t, target = torch.tensor(rows), torch.tensor(cols), torch.tensor(targets, device=device)
    with torch.inference_mode():
        split = _decoder_and_head(model)
        if split is None:
            picked, head = model(**inputs).logits[rows_t, cols_t], None
        else:
            decoder, head = split
            cache = {"past_key_values": prefix.cache(len(pairs)), "use_cache": True} if prefix else {}
            picked = decoder(**inputs, **cache).last_hidden_state[rows_t, cols_t]
        nll = torch.cat([torch.nn.functional.cross_entropy(
            (head(picked[i:i + CHUNK]) if head is not None else picked[i:i + CHUNK]).float(), target[i:i + CHUNK],
            reduction="none") for i in range(0, len(targets), CHUNK)])
    counts = torch.bincount(rows_t, minlength=len(pairs)).tolist()
    return list(torch.split(nll.double().cpu(), counts))  # rows were laid out one after another


def _prefix(model, pairs: Sequence[Pair]) -> Prefix | None:
    """The shared prefix's cache, where the model scores through its decoder and it is long enough."""
    import torch

    length = shared_prefix(pairs)
    split = _decoder_and_head(model)
    if length < MIN_PREFIX or split is None:
        return None
    with torch.inference_mode():
        return Prefix(split[0], list(pairs[0][0][:length]), next(model.parameters()).device)


@contextmanager
def float32_sums(model) -> Iterator[None]:
    """A bf16 or fp16 model scored with its matrix products in that dtype (autocast) but its
    residual stream, norms and log-softmax in float32: the embedding's output is widened, and
    each layer adds its low-precision output to the float32 sum. It lowers the mean distance from
    float32 (48 seed tasks: 0.0070 -> 0.0055 per token) but not reliably the largest (0.029 -> 0.041
    there; 0.047 -> 0.021 in an earlier pass), so a CPU scores in float32 (`scoring_weights`)."""
    import torch

    param = next(model.parameters())
    if param.dtype not in (torch.bfloat16, torch.float16):
        yield
        return
    hook = model.get_input_embeddings().register_forward_hook(lambda module, args, out: out.float())
    try:
        with torch.autocast(param.device.type, dtype=param.dtype):
            yield
    finally:
        hook.remove()


def scoring_dtype(model) -> str:
    """The dtype held-out NLL is computed in: float32 on a CPU whatever the model trained in, the
    model's own on a GPU (with float32 sums). On an AMD EPYC with AVX512-BF16 (2 cores), 48 seed
    tasks scored by a bf16 model lay up to 0.041 per token (mean 0.0055) from float32's, far from
    the 1e-3 a comparison of close students needs; float32 scored them at 2.67 rows/s against
    bf16's 4.15 and the plain one-row full-vocabulary way's 1.75 (bench/eval.py, medians of 3)."""
    param = next(model.parameters())
    return "float32" if param.device.type == "cpu" else str(param.dtype).removeprefix("torch.")


@contextmanager
def scoring_weights(model) -> Iterator[None]:
    """The model in its `scoring_dtype` while it scores, then every tensor back in its own dtype
    (bf16 -> float32 -> bf16 is exact, and a PEFT adapter's float32 weights stay float32)."""
    import torch

    if scoring_dtype(model) != "float32":
        yield
        return
    tensors = [t for t in [*model.parameters(), *model.buffers()]
               if t.is_floating_point() and t.dtype != torch.float32]
    dtypes = [t.dtype for t in tensors]
    for t in tensors:
        t.data = t.data.float()
    try:
        yield
    finally:
        for t, dtype in zip(tensors, dtypes):
            t.data = t.data.to(dtype)


def token_nll(model, pairs: Sequence[Pair], batch_tokens: int = 4096, max_rows: int | None = None,
              advance: Callable[[int], None] | None = None) -> list[list[float]]:
    """The NLL of each answer token per pair, in input order (empty for a pair with no answer
    tokens left). `advance(n)` is told after each batch how many pairs it finished."""
    results: list[list[float]] = [[] for _ in pairs]
    with float32_sums(model):
        prefix = _prefix(model, [p for p in pairs if len(p[0]) > p[1]])
        for group in batches(pairs, batch_tokens, max_rows):
            live = [i for i in group if len(pairs[i][0]) > pairs[i][1]]
            if live:
                for i, value in zip(live, _batch_nll(model, [pairs[i] for i in live], prefix)):
                    results[i] = value.tolist()
            if advance:
                advance(len(group))
    return results


def answer_nll(model, pairs: Sequence[Pair], batch_tokens: int = 4096, max_rows: int | None = None,
               advance: Callable[[int], None] | None = None) -> list[tuple[float, int]]:
    """(summed NLL, scored tokens) per pair, in input order; a pair with no answer tokens left
    scores (0.0, 0)."""
    return [(float(sum(nll)), len(nll)) for nll in token_nll(model, pairs, batch_tokens, max_rows, advance)]


def completion_nll(model, tokenizer, records: list[Record], batch_size: int, max_length: int,
                   advance: Callable[[int], None] | None = None) -> list[tuple[float, int]]:
    """(summed NLL, scored tokens) per record; a record whose reference is cut off entirely by
    max_length scores (0.0, 0) and is left out of the means."""
    pairs = [encode_pair(tokenizer, r, max_length) for r in records]
    return answer_nll(model, pairs, batch_tokens=batch_size * max_length, max_rows=batch_size, advance=advance)

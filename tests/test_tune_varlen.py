"""Padding-free batches through PyTorch's varlen kernel (tune/varlen.py): each row of a packed
batch gets the logits it gets alone, and calls without row boundaries fall back to sdpa.

On a CPU the kernel is stood in for by per-row sdpa, which tests the glue (layout, grouped
heads, scale, boundaries); where CUDA is visible the real kernel is tested against sdpa."""

import pytest
import torch
from transformers import AutoModelForCausalLM

from tune import varlen

ROWS = [[5, 9, 23, 41, 7], [12, 3, 88, 140, 61, 19, 2, 33], [77, 4, 8]]


def per_row_sdpa(query, key, value, cu_q, cu_k, max_q, max_k, window_size=None):
    """What the kernel computes, row by row: causal attention within each row, (tokens, heads, dim)."""
    assert window_size == (-1, 0)
    out = torch.empty_like(query)
    for start, end in zip(cu_q[:-1].tolist(), cu_q[1:].tolist()):
        q, k, v = (t[start:end].transpose(0, 1) for t in (query, key, value))
        out[start:end] = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(0, 1)
    return out


def load(path, attention, dtype=torch.float32, device="cpu"):
    return AutoModelForCausalLM.from_pretrained(path, attn_implementation=attention, dtype=dtype).to(device).eval()


def packed(device="cpu"):
    """TRL's padding-free batch of ROWS. TRL is imported here, not when tests are collected: its
    import sets VLLM_LOGGING_LEVEL=ERROR for the process, which a later in-process vLLM engine takes."""
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    batch = DataCollatorForLanguageModeling(pad_token_id=0, padding_free=True)([{"input_ids": r} for r in ROWS])
    return {k: v.to(device) if torch.is_tensor(v) else v for k, v in batch.items()}


def alone(model, device="cpu"):
    return [model(input_ids=torch.tensor([r], device=device)).logits[0] for r in ROWS]


def test_a_packed_batch_gives_each_row_its_own_logits(tiny_model_dir, monkeypatch):
    calls = []

    def kernel(*args, **kwargs):
        calls.append(kwargs)
        return per_row_sdpa(*args, **kwargs)

    monkeypatch.setattr(varlen, "_kernel", lambda: (kernel, {"window_size": (-1, 0)}, False, False))
    model, reference = load(tiny_model_dir, varlen.register()), load(tiny_model_dir, "sdpa")
    with torch.no_grad():
        logits = model(**packed()).logits[0]
        expected = torch.cat(alone(reference))
    assert len(calls) == model.config.num_hidden_layers  # the kernel ran, in every layer
    torch.testing.assert_close(logits, expected, atol=1e-5, rtol=1e-4)


def test_calls_without_row_boundaries_are_sdpa(tiny_model_dir, monkeypatch):
    """Scoring and generation: a padded batch with its attention mask, as a model loaded with sdpa."""
    monkeypatch.setattr(varlen, "_kernel", lambda: pytest.fail("the kernel ran without row boundaries"))
    model, reference = load(tiny_model_dir, varlen.register()), load(tiny_model_dir, "sdpa")
    ids = torch.tensor([[0, 0, 5, 9, 23], [12, 3, 88, 140, 61]])
    mask = (ids != 0).long()
    with torch.no_grad():
        torch.testing.assert_close(model(input_ids=ids, attention_mask=mask).logits,
                                   reference(input_ids=ids, attention_mask=mask).logits)
        made = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=4, do_sample=False)
    assert made.shape == (2, 9)


@pytest.mark.skipif(not varlen.available(), reason="needs CUDA and PyTorch's varlen kernel (torch 2.10 or later)")
def test_the_cuda_kernel_matches_sdpa_forward_and_backward(tmp_path):
    """A real head size (64) and grouped heads (4 over 2), in bf16 as a GPU trains."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    LlamaForCausalLM(LlamaConfig(vocab_size=256, hidden_size=256, intermediate_size=512, num_hidden_layers=2,
                                 num_attention_heads=4, num_key_value_heads=2)).save_pretrained(tmp_path)
    model = load(tmp_path, varlen.register(), torch.bfloat16, "cuda")
    reference = load(tmp_path, "sdpa", torch.bfloat16, "cuda")
    logits = model(**packed("cuda")).logits[0].float()
    expected = torch.cat(alone(reference, "cuda")).float()
    torch.testing.assert_close(logits, expected, atol=3e-2, rtol=3e-2)
    logits.logsumexp(-1).mean().backward()
    expected.logsumexp(-1).mean().backward()
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        gap = (p.grad.float() - q.grad.float()).norm() / q.grad.float().norm().clamp(min=1e-12)
        assert gap < 0.05, f"{name}: gradients {gap:.3f} apart"


def test_the_trainer_hands_the_kernel_each_packed_row(tiny_model_dir, tmp_path, monkeypatch):
    """The GPU's defaults run on a CPU with the stand-in kernel: TRL packs rows into bins, lays a
    batch's bins end to end, and every layer's attention gets their boundaries, not a dense mask."""
    from seedling import Record
    from tune import train as train_module
    from tune.options import TuneOptions

    bounds = []

    def kernel(query, key, value, cu_q, *args, **kwargs):
        bounds.append(cu_q.tolist())
        return per_row_sdpa(query, key, value, cu_q, *args, **kwargs)

    monkeypatch.setattr(varlen, "_kernel", lambda: (kernel, {"window_size": (-1, 0)}, False, False))
    real = train_module.training_settings
    monkeypatch.setattr(train_module, "training_settings", lambda o, device, dtype, **k: real(
        o, "cuda", "bfloat16", attention=varlen.NAME))
    rows = [Record(f"Say the code word number {i}.", f"The code word is apple{i}." * (1 + i % 3)) for i in range(12)]
    opts = TuneOptions(student=str(tiny_model_dir), max_steps=2, batch_size=4, max_length=64, dtype="float32",
                       warmup_ratio=0, checks="off", samples=0, save_steps=10, logging_steps=1)
    _, _, result = train_module.train(rows, opts, tmp_path, resume=False)
    assert result.steps == 2 and result.last_loss is not None
    assert bounds and all(len(b) > 2 for b in bounds)  # several rows a call: packed, within their bounds

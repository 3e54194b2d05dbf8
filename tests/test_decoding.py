"""Greedy decoding's CPU settings change how replies are computed, never what they say."""

from __future__ import annotations

import torch

from seedling.decoding import contiguous_head_input, cpu_decoding
from seedling.models import load_causal_lm
from seedling.record import Record
from tune.evaluate import generate


def test_the_vocabulary_projection_gets_a_contiguous_input(tiny_model_dir):
    model, _ = load_causal_lm(tiny_model_dir, dtype="float32")
    head = model.get_output_embeddings()
    seen = []
    head.register_forward_pre_hook(lambda module, args: seen.append(args[0].is_contiguous()))
    hidden = torch.randn(3, 5, model.config.hidden_size, device=model.device)
    last = hidden[:, -1:, :]  # how generation slices the last position
    assert not last.is_contiguous()
    with torch.no_grad():
        projected = head(last)
    assert seen == [True]
    assert torch.allclose(projected, last.contiguous() @ head.weight.T, atol=1e-6)


def test_a_model_without_a_head_is_left_alone():
    class Headless(torch.nn.Module):
        def get_output_embeddings(self):
            return None

    contiguous_head_input(Headless())


def test_cpu_decoding_restores_attention_and_threads(tiny_model_dir, on_cpu):
    model, _ = load_causal_lm(tiny_model_dir, dtype="float32")
    threads, attention = torch.get_num_threads(), model.config._attn_implementation
    assert attention == "sdpa"
    with cpu_decoding(model):
        assert model.config._attn_implementation == "eager" and torch.get_num_threads() == 1
    assert (model.config._attn_implementation, torch.get_num_threads()) == (attention, threads)
    try:
        with cpu_decoding(model):
            raise KeyError("inside")
    except KeyError:
        pass
    assert (model.config._attn_implementation, torch.get_num_threads()) == (attention, threads)


def test_greedy_replies_are_those_of_plain_sdpa_decoding(tiny_model_dir):
    model, tokenizer = load_causal_lm(tiny_model_dir, dtype="float32")
    rows = [Record("Give three tips for staying healthy.", "-"), Record("What is the capital of Japan?", "-"),
            Record("Translate the sentence into French, please, the cat sleeps.", "-")]
    ours = generate(model, tokenizer, rows, 12)
    texts = [tokenizer.apply_chat_template([{"role": "user", "content": r.prompt}], tokenize=False,
                                           add_generation_prompt=True) for r in rows]
    batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    with torch.no_grad():
        plain = model.generate(**batch, max_new_tokens=12, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    assert ours == tokenizer.batch_decode(plain[:, batch["input_ids"].shape[1]:], skip_special_tokens=True)

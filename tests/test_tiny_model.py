"""The tiny random model later stages test with (batched generation through it is covered in
test_models.py): deterministic, small, and chat-templated like a real instruct model."""

import torch

from seedling.models import load_causal_lm
from tests.helpers.tiny_model import build_tiny_model


def test_tiny_model_is_small_chat_templated_and_deterministic(tmp_path):
    a, tokenizer = load_causal_lm(str(build_tiny_model(tmp_path / "a")), dtype="float32")
    b, _ = load_causal_lm(str(build_tiny_model(tmp_path / "b")), dtype="float32")
    ids = torch.tensor([[1, 5, 9, 12]], device=a.device)
    assert torch.equal(a(ids).logits, b(ids).logits)
    assert sum(p.numel() for p in a.parameters()) < 200_000
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Write a poem."}], tokenize=False, add_generation_prompt=True
    )
    assert prompt == "<|im_start|>user\nWrite a poem.<|im_end|>\n<|im_start|>assistant\n"

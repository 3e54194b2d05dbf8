"""A random-init student of a real model's shape, for speed checks where the weights cannot go
(a GPU machine reached by copying 64 MiB): the shape from SmolLM2's published configs, the
tokenizer and chat template copied from a directory that has them (the embedded model's).
Speed depends on the shape and the tokens, not on the weights' values.

    python bench/random_student.py SHAPE OUT --tokenizer DIR     (SHAPE: smollm2-135m, -360m, -1.7b)
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

SHAPES = {  # hidden, intermediate, layers, heads, kv heads, rope theta
    "smollm2-135m": (576, 1536, 30, 9, 3, 100_000.0),
    "smollm2-360m": (960, 2560, 32, 15, 5, 100_000.0),
    "smollm2-1.7b": (2048, 8192, 24, 32, 32, 130_000.0),
}
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json")


def build(shape: str, out: Path, tokenizer: Path) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    hidden, intermediate, layers, heads, kv_heads, theta = SHAPES[shape]
    config = LlamaConfig(vocab_size=49152, hidden_size=hidden, intermediate_size=intermediate,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
                         max_position_embeddings=8192, rope_parameters={"rope_type": "default", "rope_theta": theta},
                         rms_norm_eps=1e-5, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2,
                         pad_token_id=2, dtype="bfloat16")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    with torch.device(device):  # a 1.7B model initialises in seconds on a GPU, minutes on a CPU
        model = LlamaForCausalLM(config).to(torch.bfloat16)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    for name in TOKENIZER_FILES:
        if (tokenizer / name).is_file():
            shutil.copy(tokenizer / name, out / name)
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("shape", choices=sorted(SHAPES))
    p.add_argument("out", type=Path)
    p.add_argument("--tokenizer", type=Path, required=True, help="a directory with tokenizer.json")
    args = p.parse_args()
    if not (args.tokenizer / "tokenizer.json").is_file():
        sys.exit(f"{args.tokenizer}: no tokenizer.json")
    print(build(args.shape, args.out, args.tokenizer))


if __name__ == "__main__":
    main()

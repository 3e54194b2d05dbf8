"""A tiny static embedding model (random vectors over MiniLM's tokenizer), built in a moment,
for tests that run curate's commands without the distilled model."""

from pathlib import Path

import numpy as np


def build_tiny_static(path: Path) -> Path:
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    from seedling.models import resolve_embedder

    tokenizer = Tokenizer.from_file(str(resolve_embedder(None) / "tokenizer.json"))
    vectors = np.random.default_rng(0).normal(size=(tokenizer.get_vocab_size(), 16)).astype(np.float32)
    StaticModel(vectors=vectors, tokenizer=tokenizer, normalize=True).save_pretrained(str(path))
    return path

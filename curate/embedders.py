"""curate's embedders: seedling's (`seedling.embedders`), a static model's batches read word by
word (`curate.wordwise`: each distinct word of a batch tokenized once, the same vectors up to
float rounding), so a million rows embed in minutes."""

from __future__ import annotations

from seedling import embedders


def load_embedder(spec: str | None = None):
    """`static` (default), `minilm`, or a local model2vec / sentence-transformers directory."""
    from curate import wordwise  # imported here: it reads curate.dedup, which loads embedders

    embedder = embedders.load_embedder(spec)
    if isinstance(embedder, embedders.StaticEmbedder) and wordwise.applies(embedder.model):
        embedder.wordwise = wordwise.Wordwise(embedder.model)
        embedder.forks = True  # numpy and one tokenizer call a batch: its batches are encoded on every core
    return embedder

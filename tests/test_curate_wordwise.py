"""Word-by-word static embedding gives model2vec's own vectors, on a small BERT-style model
built here, for texts that stress the word split: accents, CJK, punctuation, control
characters, empty texts and texts past the token limit."""

from __future__ import annotations

import numpy as np
import pytest
from model2vec import StaticModel
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

from curate import wordwise

WORDS = ["the", "cat", "sat", "on", "mat", "cafe", "##s", "##ing", "run", "a", "b", "ab", "!", ",", ".", "?",
         "中", "文", "x", "##x", "[UNK]", "[CLS]", "[SEP]"]
TEXTS = [
    "The cat sat on the mat.",
    "Café cats, running!? The MAT.",
    "中文 text with 中文inside",
    "a\x1cb and a\x1fb",  # str.split splits here; the tokenizer drops the control character
    "cat\x00 sat",  # NUL, which the word cut cannot hold: model2vec reads it
    "a\u00a0b\u2003c\u3000the",  # no-break and wide spaces
    "a\u0301b   \t\n the\u200bcat",  # combining accent, zero-width space
    "",
    "   ",
    "unknownword " * 3,
    "x" * 250 + " cat",  # one word past WordPiece's 100 characters
    "!" * 700,
    "!" * 100 + " cat" * 10,  # past the token limit: model2vec keeps the first tokens only
]
LIMIT = 64


def _model(pre_tokenizer, weights=None, token_mapping=None) -> StaticModel:
    tokenizer = Tokenizer(models.WordPiece({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizer
    rows = len(WORDS) if token_mapping is None else int(token_mapping.max()) + 1
    vectors = np.random.default_rng(0).normal(size=(rows, 16)).astype(np.float16)
    return StaticModel(vectors, tokenizer, normalize=True, weights=weights, token_mapping=token_mapping)


@pytest.mark.parametrize("pre", [pre_tokenizers.BertPreTokenizer(), pre_tokenizers.WhitespaceSplit()])
def test_same_vectors_as_model2vec(pre):
    model = _model(pre)
    assert wordwise.applies(model)
    ours = wordwise.Wordwise(model).encode(TEXTS, LIMIT)
    theirs = model.encode(TEXTS, max_length=LIMIT, use_multiprocessing=False)
    np.testing.assert_allclose(ours, theirs, atol=2e-3)
    assert not ours[7].any() and not ours[8].any()


def test_weights_and_token_mapping_are_applied():
    mapping = np.arange(len(WORDS)) % 7
    weights = np.linspace(0.5, 2.0, len(WORDS)).astype(np.float32)
    model = _model(pre_tokenizers.BertPreTokenizer(), weights=weights, token_mapping=mapping)
    ours = wordwise.Wordwise(model).encode(TEXTS, LIMIT)
    np.testing.assert_allclose(ours, model.encode(TEXTS, max_length=LIMIT, use_multiprocessing=False), atol=2e-3)


def test_tokenizers_that_do_not_split_on_whitespace_first_use_model2vec():
    assert not wordwise.applies(_model(pre_tokenizers.Metaspace()))
    assert not wordwise.applies(_model(pre_tokenizers.ByteLevel()))


@pytest.mark.parametrize("memory", [3, 1 << 18])
def test_words_remembered_between_batches_give_the_same_vectors(monkeypatch, memory):
    monkeypatch.setattr(wordwise, "MEMORY_WORDS", memory)
    model = _model(pre_tokenizers.BertPreTokenizer())
    batched = wordwise.Wordwise(model)
    halves = [batched.encode(TEXTS[:5], LIMIT), batched.encode(TEXTS, LIMIT), batched.encode(TEXTS[3:], LIMIT)]
    assert 0 < len(batched.known) <= memory
    fresh = wordwise.Wordwise(model)
    for got, texts in zip(halves, (TEXTS[:5], TEXTS, TEXTS[3:])):
        np.testing.assert_array_equal(got, wordwise.Wordwise(model).encode(texts, LIMIT))
    np.testing.assert_array_equal(halves[1], fresh.encode(TEXTS, LIMIT))


def test_a_pickled_wordwise_leaves_its_remembered_words_behind():
    import pickle

    model = _model(pre_tokenizers.BertPreTokenizer())
    used = wordwise.Wordwise(model)
    first = used.encode(TEXTS, LIMIT)
    copy = pickle.loads(pickle.dumps(used))
    assert used.known and not copy.known
    np.testing.assert_array_equal(copy.encode(TEXTS, LIMIT), first)

"""A model2vec model's vectors with each distinct word of a batch tokenized once.

Tokenizing was most of embedding: the shipped model's tokenizer runs on one core at about
1.5M characters a second (AMD EPYC, AVX2), 300 s of a million rows' 467 s. Where the tokenizer
splits on whitespace before anything else and normalizes character by character (BERT's, as
in the shipped model), a text's tokens are its words' tokens end to end. So each distinct word
is tokenized once, a word's token vectors are summed once, and a text's vector is the mean
over its words' tokens: model2vec's vector up to float rounding. Texts where that could differ
(at the token limit, or holding characters that `str.split` takes for whitespace and the
tokenizer drops) go through model2vec itself. A batch's words are cut and numbered in numpy
(`curate.dedup.token_ids.split_many`), not as a Python string a word: that took 2.9 of 7.5 s
of CPU a 100K built rows' three fields (AMD EPYC, AVX512).
"""

from __future__ import annotations

import re
from itertools import chain

import numpy as np
import scipy.sparse as sp
from tokenizers import normalizers, pre_tokenizers

from curate.dedup.token_ids import split_many

WORDS_FIRST = (pre_tokenizers.BertPreTokenizer, pre_tokenizers.Whitespace, pre_tokenizers.WhitespaceSplit)
PER_CHARACTER = (normalizers.BertNormalizer, normalizers.Lowercase, normalizers.NFC, normalizers.NFD,
                 normalizers.NFKC, normalizers.NFKD, normalizers.StripAccents)
# whitespace to str.split and control characters to the tokenizer; and NUL, which the word cut cannot hold
ODD_CHARACTERS = "\x00\x1c\x1d\x1e\x1f"
SPLIT_DIFFERS = re.compile(f"[{ODD_CHARACTERS}]")
MEMORY_WORDS = 1 << 18  # words remembered between batches (a row of the model's width each: 256 MB at 256 dims)


def applies(model) -> bool:
    """Whether `model` (a model2vec StaticModel) tokenizes every text word by word."""
    tokenizer = model.tokenizer
    normalizer = tokenizer.normalizer
    spaced = any(any(c.isspace() for c in t.content) for t in tokenizer.get_added_tokens_decoder().values())
    return (isinstance(tokenizer.pre_tokenizer, WORDS_FIRST)
            and (normalizer is None or isinstance(normalizer, PER_CHARACTER))
            and np.issubdtype(model.embedding.dtype, np.floating) and not spaced)


class Wordwise:
    def __init__(self, model):
        self.model = model
        table = np.asarray(model.embedding, dtype=np.float32)
        if model.token_mapping is not None:
            table = table[model.token_mapping]
        if model.weights is not None:
            table = table * np.asarray(model.weights, dtype=np.float32)[:, None]
        self.table = table  # one row per token id, as model2vec reads it
        self.known: dict[str, int] = {}  # word -> its row in known_tokens and known_sums
        self.known_tokens = np.zeros(0, dtype=np.float32)
        self.known_sums = np.zeros((0, table.shape[1]), dtype=np.float32)

    def encode(self, texts: list[str], max_length: int) -> np.ndarray:
        """What `model.encode(texts, max_length=max_length)` returns."""
        texts = [t[:max_length * self.model.median_token_length] for t in texts]
        odd = _split_differs(texts)
        read = [("" if k in odd else t) for k, t in enumerate(texts)] if odd else texts  # odd ones: model2vec's
        vocab, columns, lengths = split_many(read)
        word_tokens, word_sums = self._vocab_vectors(vocab)
        text_words = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), columns,
                                    np.concatenate([[0], np.cumsum(lengths)])), shape=(len(texts), len(vocab)))
        tokens = text_words @ word_tokens
        sums = text_words @ word_sums
        out = np.divide(sums, tokens[:, None], out=np.zeros_like(sums), where=tokens[:, None] > 0)
        out = out.astype(self.model.embedding.dtype).astype(np.float32)  # model2vec's rounding
        exact = sorted(odd.union(np.flatnonzero(tokens >= max_length).tolist()))
        if exact:
            out[exact] = self.model.encode([texts[k] for k in exact], max_length=max_length, normalize=False,
                                           show_progress_bar=False, use_multiprocessing=False)
        if self.model.normalize:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            out /= np.where(norms == 0, 1, norms)
        return out

    def __getstate__(self) -> dict:
        """Sent to another process (a Ray worker) without the remembered words."""
        return {"model": self.model}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["model"])

    def _vocab_vectors(self, vocab: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """`_words` of `vocab`, words met in an earlier batch read back: rows from one passage or
        template share most words across batches. A word's figures do not depend on the batch."""
        at = np.fromiter((self.known.get(w, -1) for w in vocab), dtype=np.int64, count=len(vocab))
        old, new = np.flatnonzero(at >= 0), np.flatnonzero(at < 0)
        tokens = np.empty(len(vocab), dtype=np.float32)
        sums = np.empty((len(vocab), self.table.shape[1]), dtype=np.float32)
        tokens[old], sums[old] = self.known_tokens[at[old]], self.known_sums[at[old]]
        if len(new):
            new_words = [vocab[k] for k in new.tolist()]
            tokens[new], sums[new] = self._words(new_words)
            self._remember(new_words, tokens[new], sums[new])
        return tokens, sums

    def _remember(self, words: list[str], tokens: np.ndarray, sums: np.ndarray) -> None:
        """Keep the words' figures while fewer than MEMORY_WORDS are kept; the store doubles as it fills."""
        start = len(self.known)
        words = words[:max(0, MEMORY_WORDS - start)]
        stop = start + len(words)
        if stop > len(self.known_tokens):
            size = min(MEMORY_WORDS, max(stop, 2 * len(self.known_tokens)))
            self.known_tokens = np.resize(self.known_tokens, size)
            grown = np.empty((size, self.known_sums.shape[1]), dtype=np.float32)
            grown[:start] = self.known_sums[:start]
            self.known_sums = grown
        self.known.update(zip(words, range(start, stop)))
        self.known_tokens[start:stop], self.known_sums[start:stop] = tokens[:len(words)], sums[:len(words)]

    def _words(self, vocab: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per word: its number of tokens (unknown ones dropped, as model2vec does) and their vectors' sum."""
        unknown = self.model.unk_token_id
        encodings = self.model.tokenizer.encode_batch_fast(vocab, add_special_tokens=False)
        ids = [[i for i in e.ids if i != unknown] if unknown is not None else e.ids for e in encodings]
        counts = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(counts.sum()))
        word_ids = sp.csr_matrix((np.ones(len(flat), dtype=np.float32), flat, np.concatenate([[0], np.cumsum(counts)])),
                                 shape=(len(vocab), len(self.table)))
        return counts.astype(np.float32), word_ids @ self.table


def _split_differs(texts: list[str]) -> set[int]:
    """The texts whose words `str.split` and the tokenizer could see differently (SPLIT_DIFFERS).
    Almost no text has such a character: a search for each character alone (memchr) rules them
    out in a sixth of the time the pattern's search takes."""
    joined = "".join(texts)
    if not any(c in joined for c in ODD_CHARACTERS):
        return set()
    return {k for k, t in enumerate(texts) if SPLIT_DIFFERS.search(t)}

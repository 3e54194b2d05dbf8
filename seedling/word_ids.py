"""Words numbered by first appearance, the form dedup (its prompt and answer tokens) and
diversity (distinct-n) count words in. A batch of texts' words is numbered by dict.fromkeys and
looked up by map, both at C speed, where one setdefault a word in Python cost twice as much;
batches keep the word lists held at once small."""

from __future__ import annotations

from itertools import chain
from typing import Iterable

import numpy as np

BATCH = 4096  # texts read at once


class WordNumbers:
    """A vocabulary that numbers each word when it first appears."""

    def __init__(self, known: list[str] = ()):
        """`known`: words already numbered 0, 1, ... in that order; new ones come after them."""
        self.vocab: dict[str, int] = {w: k for k, w in enumerate(known)}

    def see(self, word_lists: Iterable[list[str]]) -> None:
        """Number the lists' new words, in the order they appear."""
        vocab = self.vocab
        for w in dict.fromkeys(chain.from_iterable(word_lists)):
            if w not in vocab:
                vocab[w] = len(vocab)

    def ids(self, word_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """The lists' words (all seen) as numbers in one flat int32 array, and each list's length."""
        lengths = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(word_lists))
        ids = np.fromiter(map(self.vocab.__getitem__, chain.from_iterable(word_lists)), dtype=np.int32,
                          count=int(lengths.sum()))
        return ids, lengths

    def words(self) -> list[str]:
        return list(self.vocab)


def offsets(lengths: list[np.ndarray]) -> np.ndarray:
    """Row offsets into a flat array, from the lengths of batches of rows."""
    return np.concatenate([[0], np.cumsum(np.concatenate([np.zeros(0, np.int64), *lengths]))]).astype(np.int64)

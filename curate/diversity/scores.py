"""Diversity scores: mean pairwise cosine distance and Vendi score on a sample, distinct-n on all.

Vendi = exp(entropy of the eigenvalues of K/m), K the cosine similarity matrix of m rows: the
effective number of distinct items (1 when all are the same, m when all are orthogonal). K/m =
X X^T/m has the same non-zero eigenvalues as X^T X/m, which is only d x d, so that is decomposed.
"""

from __future__ import annotations

import numpy as np

from curate import parallel
from curate.dedup.token_ids import words_many
from seedling.word_ids import BATCH, WordNumbers, offsets as flat_offsets

ROWS_A_CORE = 5000  # fewer texts than this a core are read here: a fork costs more


def sample_rows(n: int, m: int, seed: int = 0) -> np.ndarray:
    if n <= m:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, m, replace=False))


def pairwise(x, m: int, among: np.ndarray | None = None) -> dict:
    """`among`: the rows of x to measure (all when None); a sample of m of them is read."""
    rows = sample_rows(len(x) if among is None else len(among), m)
    rows = rows if among is None else among[rows]
    if len(rows) < 2:
        return {"sampled": len(rows), "mean_cosine_distance": None, "vendi": float(len(rows)) or None}
    s = x[rows]
    k = s @ s.T
    off = k[~np.eye(len(rows), dtype=bool)]
    gram = s.T @ s if s.shape[1] < len(rows) else k
    eig = np.clip(np.linalg.eigvalsh(gram.astype(np.float64) / len(rows)), 0, None)
    eig = eig[eig > 1e-12]
    vendi = float(np.exp(-np.sum(eig * np.log(eig))))
    return {"sampled": len(rows), "mean_cosine_distance": round(float(1 - off.mean()), 4),
            "vendi": round(vendi, 2), "vendi_per_row": round(vendi / len(rows), 4)}


def distinct_n(texts: list[str], among=None, n_max: int = 3) -> dict:
    """Distinct word n-grams over all n-grams, for n = 1..n_max, of `texts` (or of those at the
    positions `among`)."""
    return WordIds([texts[i] for i in np.asarray(among).tolist()] if among is not None else texts).distinct(n_max=n_max)


class WordIds:
    """Every text's words as ids of one vocabulary in a flat array with text offsets, read once
    so the figures of all rows and of any subset of them count the same ids (read on every core,
    numbered by first appearance as one pass would). An n-gram is one row of ids, counted with
    numpy, so no tuple per n-gram is built."""

    def __init__(self, texts: list[str]):
        parts = parallel.chunks(lambda start, stop: _word_ids(texts[start:stop]), len(texts), ROWS_A_CORE)
        vocab: dict[str, int] = {}
        ids, lengths = [], []
        for part_vocab, part_ids, part_lengths in parts:  # in order: ids stay numbered by first appearance
            to_global = np.array([vocab.setdefault(w, len(vocab)) for w in part_vocab], dtype=np.int64)
            ids.append(to_global[part_ids])
            lengths.append(part_lengths)
        self.vocab = list(vocab)
        self.ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        self.offsets = flat_offsets(lengths)

    @classmethod
    def reusing(cls, texts: list[str], vocab: list[str], ids: np.ndarray, offsets: np.ndarray,
                read: np.ndarray) -> WordIds:
        """The texts' words where `read[i]` says text i's words are ids[offsets[i]:offsets[i+1]]
        of `vocab` already (dedup read each prompt, and most prompts are their instruction); the
        other texts are read here and their new words numbered after vocab's. The figures count
        which ids repeat, so they do not depend on how words are numbered."""
        self = cls.__new__(cls)
        if read.all():  # no gather: the rows' ids are the flat array as it is
            self.vocab, self.ids, self.offsets = list(vocab), ids.astype(np.int64), offsets.astype(np.int64)
            return self
        numbers = WordNumbers(vocab)
        others = np.flatnonzero(~read)
        other_ids, other_lengths = _numbered(numbers, [texts[i] for i in others.tolist()])
        lengths = np.diff(offsets)
        starts = offsets[:-1].copy()
        lengths[others] = other_lengths
        starts[others] = len(ids) + np.concatenate(([0], np.cumsum(other_lengths)[:-1])).astype(np.int64)
        self.ids, self.offsets = _segments(np.concatenate((ids, other_ids)).astype(np.int64), starts, lengths)
        self.vocab = numbers.words()
        return self

    def head(self, i: int, n: int) -> list[str]:
        """The first `n` words of text i."""
        return [self.vocab[t] for t in self.ids[self.offsets[i]:min(self.offsets[i] + n, self.offsets[i + 1])].tolist()]

    def distinct(self, among=None, n_max: int = 3) -> dict:
        """distinct_1..distinct_n_max of all texts, or of those at the positions `among`."""
        ids_, offs = self.ids, self.offsets
        if among is not None:
            rows = np.asarray(among, dtype=np.int64)
            ids_, offs = _segments(ids_, offs[rows], offs[rows + 1] - offs[rows])
        ends = np.repeat(offs[1:], np.diff(offs))  # per word, where its text ends
        out = {}
        for n in range(1, n_max + 1):
            inside = np.arange(len(ids_)) + n <= ends  # the n-grams starting here stay inside one text
            count = int(np.count_nonzero(inside))
            out[f"distinct_{n}"] = round(_distinct(ids_, inside, n) / count, 4) if count else 0.0
        return out


def _segments(ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pieces ids[starts[k]:starts[k] + lengths[k]] one after another, and their offsets."""
    offs = flat_offsets([lengths])
    owner = np.repeat(np.arange(len(lengths)), lengths)
    return ids[starts[owner] + np.arange(int(offs[-1])) - offs[:-1][owner]], offs


def _word_ids(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The texts' words numbered by first appearance: the words, every word's number, each text's length."""
    numbers = WordNumbers()
    ids, lengths = _numbered(numbers, texts)
    return numbers.words(), ids, lengths


def _numbered(numbers: WordNumbers, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts' words as `numbers` numbers them (new words numbered as they first appear), and
    each text's length. A batch is read in numpy (`words_many`): the regex's words."""
    ids, lengths = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for a in range(0, len(texts), BATCH):
        vocab, codes, counts = words_many(texts[a:a + BATCH])
        numbers.see([vocab])
        ids.append(numbers.ids([vocab])[0].astype(np.int64)[codes])
        lengths.append(counts)
    return np.concatenate(ids), np.concatenate(lengths)


def _distinct(ids: np.ndarray, inside: np.ndarray, n: int) -> int:
    """How many distinct n-grams start where `inside` holds. Each n-gram's ids are packed in one
    int64 from shifted views of `ids` (no gather), then sorted and their changes counted: numpy's
    vectorised sort took a third of the time of pandas' hash count on 15M n-grams (at a million
    rows the hash table outgrows the caches)."""
    m = len(ids) - n + 1
    if m <= 0:
        return 0
    if int(ids.max()) < 1 << (63 // n):  # n ids fit in one int64
        packed = ids[:m].astype(np.int64)
        for k in range(1, n):
            packed = (packed << (63 // n)) | ids[k:k + m]
        packed = packed[inside[:m]]
        packed.sort()
        return int(np.count_nonzero(packed[1:] != packed[:-1])) + 1 if len(packed) else 0
    return len(np.unique(np.stack([ids[k:k + m][inside[:m]] for k in range(n)], axis=1), axis=0))

"""Every prompt and answer as token ids, a batch of texts at a time in numpy.

Reading each text with the word regex and numbering its words in a dict cost a Python string
a word: most of dedup's one-core time at a million rows. An ASCII text with no end-of-text
marker has as tokens its runs of [A-Za-z0-9_], lower-cased: what `seedling.text.words` gives
(NFKC leaves ASCII alone, casefold is lower there). Such texts are mapped byte by byte
(`bytes.translate`) into one buffer, cut at spaces with numpy. Every other text, and one read
as characters (`read`: two long words at most), is read by the regex and put in the buffer as
its tokens joined by spaces, so one cut serves all. A token is told apart exactly by its first
32 UTF-8 bytes packed in four uint64 (a word holds no NUL byte), a longer one by a number of
its own; pandas numbers them in order of first appearance, as the dict did: the same ids.
"""

from __future__ import annotations

import hashlib
import string

import numpy as np
import pandas as pd

from seedling.text import strip_markers, words

KEY_BYTES = 32  # a token's first bytes that identify it; a longer token is numbered apart
SPACE = 0x20
_WORD_BYTES = set((string.ascii_letters + string.digits + "_").encode())
_MAP = bytes((c | 0x20 if chr(c).isalpha() else c) if c in _WORD_BYTES else c if c >= 0x80 else SPACE
             for c in range(256))  # word bytes lower-cased, UTF-8's upper bytes kept, the rest a space
_SPLIT_MAP = bytes(SPACE if c < 0x80 and chr(c).isspace() else c for c in range(256))  # str.split's ASCII spaces
_MARKER_START = "<"
_LONG = np.uint64(0xFF << 56)  # top byte of a long token's last key: no UTF-8 byte is 0xFF


def read(text: str) -> tuple[list[str], bool]:
    """The text's tokens (words; a text in a script written without spaces, Chinese or Japanese,
    gives its characters), and whether they are its words as read (no marker stripped, not spelled out)."""
    stripped = strip_markers(text)
    ws = words(stripped)
    if len(ws) <= 2 and sum(len(w) for w in ws) > 12:
        return list("".join(ws)), False
    return ws, stripped == text


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class _Cut:
    """A buffer of texts joined by spaces, mapped, and cut into tokens (start, length, owner)."""

    def __init__(self, texts: list[str], wide: list[int], table: bytes = _MAP):
        """`wide`: the texts that are not ASCII (a character may take several bytes); `table`:
        each byte's mapping, a space where tokens end."""
        joined = " ".join(texts).encode("utf-8").translate(table)
        sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        sizes[wide] = [len(texts[k].encode("utf-8")) for k in wide]
        self.text_starts = np.concatenate(([0], np.cumsum(sizes + 1)[:-1])).astype(np.int64)
        self.buf = np.frombuffer(joined + bytes(KEY_BYTES + 8), dtype=np.uint8)
        token = self.buf[:len(joined)] != SPACE
        edges = np.diff(np.concatenate(([False], token, [False])).view(np.int8))
        self.starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        self.lengths = ends - self.starts
        self.owner = np.searchsorted(self.text_starts, self.starts, side="right") - 1
        self.counts = np.bincount(self.owner, minlength=len(texts))
        self.chars = np.bincount(self.owner, weights=self.lengths, minlength=len(texts))

    def spell(self, which: np.ndarray) -> None:
        """Cut the tokens of the flagged texts (ASCII) into one token a character."""
        hit = which[self.owner]
        n = self.lengths[hit]
        within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        starts = np.concatenate((self.starts[~hit], np.repeat(self.starts[hit], n) + within))
        order = np.argsort(starts, kind="stable")  # two sorted runs: a merge
        self.starts = starts[order]
        self.lengths = np.concatenate((self.lengths[~hit], np.ones(len(within), np.int64)))[order]
        self.owner = np.concatenate((self.owner[~hit], np.repeat(self.owner[hit], n)))[order]
        self.counts = np.bincount(self.owner, minlength=len(self.counts))

    def keys(self) -> list[np.ndarray]:
        """Per token, four uint64 holding its first 32 bytes (zero past its end); a longer
        token's are its number among this buffer's long tokens and a mark no word's bytes make."""
        window = np.ndarray((len(self.buf) - 7,), dtype="<u8", buffer=self.buf.data, strides=(1,))
        out = []
        for k in range(0, KEY_BYTES, 8):
            left = np.clip(self.lengths - k, 0, 8)
            mask = np.where(left == 8, np.uint64(0xFFFFFFFFFFFFFFFF),
                            (np.uint64(1) << (left.astype(np.uint64) * np.uint64(8))) - np.uint64(1))
            out.append(window[self.starts + k] & mask)
        long_ = np.flatnonzero(self.lengths > KEY_BYTES)
        if len(long_):
            numbers: dict[bytes, int] = {}
            raw = self.buf.tobytes()
            ids = [numbers.setdefault(raw[s:s + n], len(numbers))
                   for s, n in zip(self.starts[long_].tolist(), self.lengths[long_].tolist())]
            out[0][long_] = np.array(ids, dtype=np.uint64)
            out[1][long_] = out[2][long_] = 0
            out[3][long_] = _LONG
        return out

    def normalised(self) -> tuple[bytes, np.ndarray]:
        """Each text's tokens joined by single spaces, end to end, and each one's offsets."""
        keep = self.buf != SPACE
        keep[len(keep) - KEY_BYTES - 8:] = False
        same = np.flatnonzero(self.owner[1:] == self.owner[:-1])
        keep[(self.starts + self.lengths)[same]] = True  # the space after a token its text goes on from
        sizes = np.where(self.counts > 0, self.chars.astype(np.int64) + self.counts - 1, 0)
        return self.buf[keep].tobytes(), np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)


def _numbered(keys: list[np.ndarray]) -> np.ndarray:
    """Per token, a number by first appearance of its keys."""
    codes = pd.factorize(keys[0])[0].astype(np.int64)
    for k in keys[1:]:
        if k.any():
            more = pd.factorize(k)[0].astype(np.int64)
            codes = pd.factorize(codes * (int(more.max()) + 1) + more)[0].astype(np.int64)
    return codes


def _digests(text: bytes, bounds: np.ndarray) -> list[bytes]:
    view = memoryview(text)
    return [hashlib.blake2b(view[a:b], digest_size=16).digest() for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]


def normalised_digests(texts: list[str]) -> list[bytes]:
    """`digest(seedling.text.normalize(t))` of each text (markers kept, nothing spelled out)."""
    return _digests(*_Cut(*_laid(texts, words)).normalised())


def read_many(texts: list[str]):
    """(vocabulary by first appearance, token ids in one flat int32 array, each text's token
    count, each text's digest, whether each text's tokens are its words as read)."""
    laid, as_read, wide = [], [], []
    for k, t in enumerate(texts):
        if t.isascii():
            laid.append(strip_markers(t) if _MARKER_START in t else t)
            as_read.append(laid[-1] == t)
        else:
            tokens, read_ = read(t)
            laid.append(" ".join(tokens))
            as_read.append(read_)
            wide.append(k)
    cut = _Cut(laid, wide)
    digests = _digests(*cut.normalised())
    spelled = (cut.counts <= 2) & (cut.chars > 12)
    spelled[wide] = False
    if spelled.any():
        for k in np.flatnonzero(spelled).tolist():
            tokens, as_read[k] = read(texts[k])
            digests[k] = digest(" ".join(tokens))
        cut.spell(spelled)
    codes = _numbered(cut.keys())
    return _vocab(cut, codes), codes.astype(np.int32), cut.counts.astype(np.int64), digests, as_read


def split_many(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each text's `str.split()` words, numbered by first appearance: (the words, every word's
    number in one flat int64 array, each text's word count). A text holding NUL, which `_Cut`'s
    zero-padded keys cannot tell from a word's end, is the caller's to read."""
    return _numbered_words(texts, str.split, _SPLIT_MAP)  # str.split's other spaces are not ASCII


def words_many(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each text's `seedling.text.words`, numbered by first appearance, as `split_many` gives them."""
    return _numbered_words(texts, words, _MAP)


def _numbered_words(texts: list[str], read_wide, table: bytes) -> tuple[list[str], np.ndarray, np.ndarray]:
    """ASCII texts cut in numpy at the bytes `table` makes a space; the others read by
    `read_wide` and laid out as their words joined by an ASCII space."""
    cut = _Cut(*_laid(texts, read_wide), table)
    codes = _numbered(cut.keys())
    return _vocab(cut, codes), codes, cut.counts.astype(np.int64)


def _laid(texts: list[str], read_wide) -> tuple[list[str], list[int]]:
    """The texts as `_Cut` takes them, each one that is not ASCII as its words (`read_wide`)
    joined by an ASCII space, and which those are."""
    wide = [k for k, t in enumerate(texts) if not t.isascii()]
    laid = list(texts)
    for k in wide:
        laid[k] = " ".join(read_wide(texts[k]))
    return laid, wide


def _vocab(cut: _Cut, codes: np.ndarray) -> list[str]:
    """The tokens numbered 0, 1, ... by `codes`, each read at its first appearance."""
    first = np.flatnonzero(np.concatenate(([True], codes[1:] > np.maximum.accumulate(codes)[:-1]))) \
        if len(codes) else np.zeros(0, np.int64)
    raw = cut.buf.tobytes()
    return [raw[s:s + n].decode("utf-8") for s, n in zip(cut.starts[first].tolist(), cut.lengths[first].tolist())]

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.dedup.token_ids import digest, normalised_digests, read, read_many, split_many, words_many
from seedling.text import normalize, words

PIECES = ["Hello", "WORLD", "naïve", "Straße", "ﬁle", "東京都", "日本語のテキスト", "<|endoftext|>", "</s>", "<eos>",
          "<b>", "a_b", "__", "123", "4.5", "x" * 40, "Y" * 33, "abcdefghijklmnopqrstuvwxyzABCDEF", "ǅ", "K",
          "İstanbul", "\x00", "\t", "\n", "-", "it's", "½", "²", "William", "Shakespeare", "supercalifragilistic",
          "", " ", "a", "é" * 20, "😀", "x\u0301", "<|im_end|>", "<|ENDOFTEXT|>", "Bob" * 12, "thirty-two-bytes-long-token-xyz"]


def _one_regex_read_a_text(texts):
    """The reading the numpy path must equal: each text read by the regex, its words numbered
    by one setdefault a word, its digest that of its tokens joined by spaces."""
    vocab, ids, counts, digests, as_read = {}, [], [], [], []
    for t in texts:
        tokens, read_ = read(t)
        ids += [vocab.setdefault(w, len(vocab)) for w in tokens]
        counts.append(len(tokens))
        digests.append(digest(" ".join(tokens)))
        as_read.append(read_)
    return list(vocab), ids, counts, digests, as_read


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", "  ", ",", "\n"])),
                         max_size=6).map(lambda ps: "".join(a + b for a, b in ps)), max_size=12))
def test_numpy_reading_equals_the_regex_reading(texts):
    vocab, ids, counts, digests, as_read = read_many(texts)
    assert ids.dtype == np.int32
    assert (vocab, ids.tolist(), counts.tolist(), digests, as_read) == _one_regex_read_a_text(texts)
    assert normalised_digests(texts) == [digest(normalize(t)) for t in texts]


SPACES = ["", " ", "  ", ",", "\n", "\t", "\r\n", "\x0b", "\x0c", "\xa0", "\u2003", "\u3000", "\x85", "\u2028"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from([p for p in PIECES if "\x00" not in p]), st.sampled_from(SPACES)),
                         max_size=6).map(lambda ps: "".join(a + b for a, b in ps)), max_size=12))
def test_split_many_numbers_the_words_str_split_gives(texts):
    vocab, ids, counts = split_many(texts)
    numbers: dict[str, int] = {}
    expected = [numbers.setdefault(w, len(numbers)) for t in texts for w in t.split()]
    assert (vocab, ids.tolist(), counts.tolist()) == (list(numbers), expected, [len(t.split()) for t in texts])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SPACES)),
                         max_size=6).map(lambda ps: "".join(a + b for a, b in ps)), max_size=12))
def test_words_many_numbers_the_words_the_regex_reads(texts):
    vocab, ids, counts = words_many(texts)
    numbers: dict[str, int] = {}
    expected = [numbers.setdefault(w, len(numbers)) for t in texts for w in words(t)]
    assert (vocab, ids.tolist(), counts.tolist()) == (list(numbers), expected, [len(words(t)) for t in texts])


def test_long_tokens_spelled_texts_and_markers():
    texts = ["A" * 70 + " b c", "a" * 70 + "c", "William Shakespeare", "Shakespeare<|endoftext|>", "", "x" * 32,
             "x" * 32 + "y", "Ünïcode text here", "end</s>", "a-b-c-d " * 3]
    vocab, ids, counts, digests, as_read = read_many(texts)
    assert (vocab, ids.tolist(), counts.tolist(), digests, as_read) == _one_regex_read_a_text(texts)
    assert vocab[:2] == ["a" * 70, "b"] and counts[2] == len("williamshakespeare") and as_read[3] is False

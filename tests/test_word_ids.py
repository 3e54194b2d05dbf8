from hypothesis import given
from hypothesis import strategies as st

from seedling.word_ids import WordNumbers, offsets


def _one_setdefault_a_word(word_lists):
    vocab, ids = {}, []
    for ws in word_lists:
        ids.append([vocab.setdefault(w, len(vocab)) for w in ws])
    return list(vocab), ids


@given(st.lists(st.lists(st.sampled_from(["a", "b", "the", "cat", "é", "x1", "猫"]), max_size=6), max_size=12),
       st.integers(1, 5))
def test_batches_number_words_as_one_setdefault_a_word(word_lists, batch):
    numbers, got = WordNumbers(), []
    for a in range(0, len(word_lists), batch):
        part = word_lists[a:a + batch]
        numbers.see(part)
        flat, lengths = numbers.ids(part)
        assert lengths.tolist() == [len(ws) for ws in part]
        flat = flat.tolist()
        for n in lengths.tolist():
            got.append(flat[:n])
            flat = flat[n:]
    vocab, ids = _one_setdefault_a_word(word_lists)
    assert numbers.words() == vocab and got == ids


def test_offsets_join_batches():
    import numpy as np

    assert offsets([]).tolist() == [0]
    assert offsets([np.array([2, 0]), np.array([3])]).tolist() == [0, 2, 2, 5]

"""What each prompt is made of, measured across the whole dataset, so that dedup can tell a
repeated task from a shared passage or a shared template.

Real instruction sets put the context inside the prompt, ask one passage several questions,
and apply several templates to one example. Word 3-grams of the prompt (instruction + input)
are counted over the distinct prompts:

- a 3-gram in many distinct prompts (at least `boilerplate_df`) is template wording;
- a run of at least `CONTEXT_WORDS` words whose 3-grams recur in a few prompts is a shared
  context (a passage, a review, a dialogue): it says nothing about which question is asked;
- an answer of a few words, or one that many rows give (a label), is no evidence that two
  rows are the same task.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from curate import parallel
from curate.dedup.grams import cover, gram_ids, member, shared_grams
from curate.dedup.token_ids import digest, read_many
from seedling.record import Record
from seedling.text import SHORT_ANSWER_WORDS
from seedling.word_ids import offsets

CONTEXT_WORDS = 20  # a shared run this long is a passage, not a question
BOILERPLATE_MIN_DF = 20
BOILERPLATE_SHARE = 0.005  # of distinct prompts
LABEL_MIN_ROWS = 20
LABEL_SHARE = 0.005  # of rows
PROMPTS_KEPT = 8192  # rebuilt Prompts kept at a time
ROWS_A_CORE = 5000  # fewer rows than this a core are read here: a fork costs more
BATCH = 20_000  # rows read at once
PLACEHOLDERS = frozenset({"", "n a", "na", "nan", "none", "null", "todo", "tbd", "answer", "output", "response",
                          "no answer", "no response", "to be answered"})
PROMPT_ONLY_SHARE = 0.5  # of rows without an answer: the dataset is a pool of prompts


class Prompt:
    """One row's prompt as word 3-grams (ids; position k starts gram k), and its answer. Each
    part is read from the anatomy's flat arrays when a comparison first asks for it: most pairs
    are decided by a part or two, and the rest would cost more than the comparison."""

    def __init__(self, anatomy: Anatomy, i: int):
        self.anatomy, self.i = anatomy, i

    @cached_property
    def words(self) -> list[str]:
        a = self.anatomy
        return [a.vocab[t] for t in a.tokens[a.offsets[self.i]:a.offsets[self.i + 1]].tolist()]

    @cached_property
    def ids(self) -> np.ndarray:
        """3-gram ids in order."""
        return self.anatomy.ids(self.i)

    @cached_property
    def id_set(self) -> frozenset[int]:
        return frozenset(self.ids.tolist())

    @property
    def key(self) -> str:
        """The normalised prompt."""
        return " ".join(self.words)

    @property
    def answer_key(self) -> bytes:
        """Digest of the normalised answer: equal exactly when the answers are."""
        return self.anatomy.answer_keys[self.i]

    @cached_property
    def answer(self) -> str:
        """The normalised answer."""
        return " ".join(self.anatomy.answer_words(self.i))

    @cached_property
    def answer_set(self) -> frozenset[str]:
        """The normalised answer's words."""
        return frozenset(self.answer.split())

    @cached_property
    def answer_ids(self) -> frozenset[int]:
        """The answer's 3-grams, in the prompts' id space."""
        a = self.anatomy
        return frozenset(gram_ids(a.answer_tokens[a.answer_offsets[self.i]:a.answer_offsets[self.i + 1]]).tolist())

    @property
    def informative(self) -> bool:
        """The answer can count as evidence of sameness."""
        return bool(self.anatomy.informative[self.i])

    @cached_property
    def template(self) -> np.ndarray:
        """Per word: inside template wording."""
        return cover(member(self.ids, self.anatomy.boilerplate), len(self.words))


@dataclass(frozen=True)
class TokenIds:
    """Every row's prompt and answer as ids of one vocabulary in flat arrays (one int32 per word,
    with row offsets), and the digests of the normalised prompt and answer."""

    vocab: list[str]  # token id -> word
    tokens: np.ndarray
    offsets: np.ndarray
    answer_tokens: np.ndarray
    answer_offsets: np.ndarray
    keys: list[bytes]
    answer_keys: list[bytes]
    prompt_as_words: np.ndarray  # per row: its prompt's tokens are seedling.text.words(prompt)
    answer_as_words: np.ndarray  # per row: its answer's tokens are seedling.text.words(output)


@dataclass(frozen=True)
class SharedGrams:
    """The prompt 3-grams that two or more distinct prompts hold, and which of them are template
    wording (held by at least `boilerplate_df` distinct prompts)."""

    grams: np.ndarray  # sorted 3-gram ids
    df: np.ndarray  # distinct prompts holding each of `grams`
    boilerplate: np.ndarray  # sorted
    boilerplate_df: int


class Anatomy:
    """Every row's prompt and answer as token ids in flat arrays (one int32 per word, with row
    offsets), the digests of the normalised texts, and the 3-grams that distinct prompts
    share, so a million rows fit in memory. A row's `Prompt` (its words and 3-gram sets) is
    rebuilt from the record when a pair is compared, and a few thousand are kept at a time."""

    def __init__(self, records: list[Record], ids: TokenIds, shared: SharedGrams, informative: np.ndarray):
        self.records = records
        self.vocab = ids.vocab
        self.tokens, self.offsets = ids.tokens, ids.offsets
        self.answer_tokens, self.answer_offsets = ids.answer_tokens, ids.answer_offsets
        self.keys, self.answer_keys = ids.keys, ids.answer_keys
        self.prompt_as_words, self.answer_as_words = ids.prompt_as_words, ids.answer_as_words
        self.informative = informative  # the answer can count as evidence of sameness
        self.answerless = _answerless(ids.answer_keys)
        self.grams, self.df = shared.grams, shared.df
        self.boilerplate, self.boilerplate_df = shared.boilerplate, shared.boilerplate_df
        self.prompt = lru_cache(maxsize=PROMPTS_KEPT)(self._prompt)
        self.prompts = _Prompts(self)

    def __len__(self) -> int:
        return len(self.keys)

    @cached_property
    def answer_codes(self) -> np.ndarray:
        """Per row, a number that is equal exactly when the normalised answers are."""
        return np.unique(np.array(self.answer_keys, dtype="S16"), return_inverse=True)[1].astype(np.int64)

    @property
    def prompt_only(self) -> bool:
        """Most rows have no answer (empty or a placeholder): the prompts are the data."""
        return bool(len(self.answerless)) and float(self.answerless.mean()) >= PROMPT_ONLY_SHARE

    def ids(self, i: int) -> np.ndarray:
        """Row i's prompt 3-gram ids, in order."""
        return gram_ids(self.tokens[self.offsets[i]:self.offsets[i + 1]])

    def words(self, i: int) -> int:
        return int(self.offsets[i + 1] - self.offsets[i])

    def answer_words(self, i: int) -> list[str]:
        return [self.vocab[t] for t in self.answer_tokens[self.answer_offsets[i]:self.answer_offsets[i + 1]].tolist()]

    def _prompt(self, i: int) -> Prompt:
        return Prompt(self, i)


class _Prompts:
    """`anatomy.prompts[i]`: row i's Prompt, built on demand."""

    def __init__(self, anatomy: Anatomy):
        self.anatomy = anatomy

    def __len__(self) -> int:
        return len(self.anatomy)

    def __getitem__(self, i: int) -> Prompt:
        return self.anatomy.prompt(int(i))


_PLACEHOLDER_KEYS = frozenset(digest(p) for p in PLACEHOLDERS)


def _answerless(answer_keys: list[bytes]) -> np.ndarray:
    """Per row: no answer to speak of: empty, a placeholder, or the one answer most rows give
    (a pool of prompts exported with a constant answer field)."""
    out = np.array([k in _PLACEHOLDER_KEYS for k in answer_keys], dtype=bool)
    if answer_keys:
        top, count = Counter(answer_keys).most_common(1)[0]
        if count >= PROMPT_ONLY_SHARE * len(answer_keys):
            out |= np.array([k == top for k in answer_keys], dtype=bool)
    return out


def _words_to_ids(records: list[Record], start: int, stop: int) -> list[tuple]:
    """Rows start..stop-1, a batch at a time, each batch as token ids of a vocabulary of its
    own, numbered in the order the words first appear reading each row's prompt, then its answer."""
    parts = []
    for a in range(start, max(stop, start + 1), BATCH):  # no rows: one empty batch
        vocab, ids, counts, digests, as_read = read_many(
            [t for r in records[a:min(a + BATCH, stop)] for t in (r.prompt, r.output)])
        in_prompt = np.repeat(np.arange(len(counts)) % 2 == 0, counts)
        parts.append((vocab, ids[in_prompt], offsets([counts[0::2]]), ids[~in_prompt], offsets([counts[1::2]]),
                      digests[0::2], digests[1::2], np.array(as_read[0::2], dtype=bool),
                      np.array(as_read[1::2], dtype=bool)))
    return parts


def _merged(parts) -> TokenIds:
    """The chunks' ids in one vocabulary. Taking each chunk's new words in its own order, chunk
    after chunk, numbers every word where one pass over all rows would have: the same ids."""
    vocab: dict[str, int] = {}
    prompt, offsets, answer, answer_offsets, keys, answer_keys = [], [np.zeros(1, np.int64)], [], \
        [np.zeros(1, np.int64)], [], []
    for words_, toks, offs, ans, ans_offs, ks, aks, _, _ in parts:
        ids = np.array([vocab.setdefault(w, len(vocab)) for w in words_], dtype=np.int32)
        prompt.append(ids[toks])
        answer.append(ids[ans])
        offsets.append(offs[1:] + offsets[-1][-1])
        answer_offsets.append(ans_offs[1:] + answer_offsets[-1][-1])
        keys += ks
        answer_keys += aks
    return TokenIds(list(vocab), np.concatenate(prompt), np.concatenate(offsets), np.concatenate(answer),
                    np.concatenate(answer_offsets), keys, answer_keys,
                    *(np.concatenate([np.zeros(0, dtype=bool), *(part[k] for part in parts)]) for k in (-2, -1)))


def analyse(records: list[Record]) -> Anatomy:
    parts = parallel.chunks(lambda start, stop: _words_to_ids(records, start, stop), len(records), ROWS_A_CORE)
    ids = _merged([batch for part in parts for batch in part])
    distinct = list({k: i for i, k in enumerate(ids.keys)}.values())
    grams, df = shared_grams(ids.tokens, ids.offsets, distinct)
    min_df = max(BOILERPLATE_MIN_DF, int(BOILERPLATE_SHARE * len(distinct)))
    answers = Counter(ids.answer_keys)
    label_rows = max(LABEL_MIN_ROWS, int(LABEL_SHARE * len(records)))
    informative = np.array([n > SHORT_ANSWER_WORDS and answers[k] < label_rows
                            for n, k in zip(np.diff(ids.answer_offsets).tolist(), ids.answer_keys)], dtype=bool)
    return Anatomy(records, ids, SharedGrams(grams, df, grams[df >= min_df], min_df), informative)

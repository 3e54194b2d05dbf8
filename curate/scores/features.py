"""What the learned quality model sees of a row, cheap enough for a million rows on a laptop:
the answer's words (hashed word and punctuation 1-2 grams: style, structure, hedging, the
phrases of careful answers and of weak ones) and its shape (length, lines, lists, headings,
how it ends, how much of the prompt it takes up, how close it sits to the prompt in the
static embedding space). Where a prompt has several answers in the pool, one more: how much
an answer agrees with the others (`consensus`). Training (scripts/train_quality.py) and
scoring both call these functions, so the two can never see different features."""

from __future__ import annotations

import math
import re

import numpy as np
import scipy.sparse as sp

HASH_DIMS = 2 ** 16
PARALLEL_ROWS = 2048  # per worker: below it, forking costs more than the features
CONSENSUS_MIN = 3  # answers to one prompt before their agreement says anything (two agree with each other equally)
WORD = re.compile(r"\w+")
TOKEN = r"(?u)\b\w+\b|[^\w\s]{1,3}"  # words, and runs of punctuation ("**", "1.", "```", ":")
LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)])\s")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
APOLOGY = re.compile(r"\b(?:as an ai|language model|i'?m sorry|i am sorry|i cannot|i can'?t|i do not have)\b")
FINISHED = set(".!?)\"'`*:;>]")
UPPER, DIGIT, NON_ASCII = re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^\x00-\x7f]")

SHAPE = ["log_chars", "log_words", "log_prompt_chars", "log_ratio", "log_lines", "list_share",
         "heading_share", "bold_per_word", "code", "colon_per_word", "distinct_words", "word_length",
         "words_per_sentence", "upper_share", "digit_share", "non_ascii_share", "finished",
         "prompt_words_used", "repeated_trigrams", "questions_per_word", "apology", "starts_with_prompt",
         "prompt_cosine"]


def shape(prompt: str, output: str) -> list[float]:
    """One row's shape features, in SHAPE's order, all but the last (the cosine, computed from
    the embeddings of a whole batch at once)."""
    text = output.lower()
    words = WORD.findall(text)
    prompt_words = set(WORD.findall(prompt.lower()))
    lines = [line for line in output.split("\n") if line.strip()]
    n, chars = max(1, len(words)), max(1, len(output))
    trigrams = len(words) - 2
    return [
        math.log1p(len(output)), math.log1p(len(words)), math.log1p(len(prompt)),
        math.log1p(len(output)) - math.log1p(len(prompt)), math.log1p(len(lines)),
        sum(bool(LIST_ITEM.match(line)) for line in lines) / max(1, len(lines)),
        sum(line.lstrip().startswith("#") for line in lines) / max(1, len(lines)),
        output.count("**") / n, float("```" in output), output.count(":") / n,
        len(set(words)) / n, sum(map(len, words)) / n,
        len(words) / max(1, len(SENTENCE_END.findall(output))),
        len(UPPER.findall(output)) / chars, len(DIGIT.findall(output)) / chars,
        len(NON_ASCII.findall(output)) / chars,
        float(output.rstrip()[-1:] in FINISHED) if output.strip() else 0.0,
        len(set(words) & prompt_words) / max(1, len(prompt_words)),
        1 - len(set(zip(words, words[1:], words[2:]))) / trigrams if trigrams > 1 else 0.0,
        output.count("?") / n, float(bool(APOLOGY.search(text))),
        float(len(prompt) > 20 and output.lstrip().lower().startswith(prompt.strip().lower()[:200])),
    ]


def shapes(prompts: list[str], outputs: list[str], prompt_vectors: np.ndarray, output_vectors: np.ndarray
           ) -> np.ndarray:
    """Every row's shape features (rows x len(SHAPE)); vectors are unit rows of one embedder."""
    from curate import parallel

    rows = parallel.map_rows(lambda pair: shape(*pair), list(zip(prompts, outputs)), PARALLEL_ROWS)
    cosine = np.einsum("ij,ij->i", np.asarray(prompt_vectors, np.float32), np.asarray(output_vectors, np.float32))
    return np.column_stack([np.asarray(rows, dtype=np.float64).reshape(len(outputs), len(SHAPE) - 1), cosine])


def matrices(prompts: list[str], outputs: list[str], embedder) -> tuple[sp.csr_matrix, np.ndarray]:
    """Both feature blocks of a batch: hashed answer words, and shape with the prompt-answer
    cosine from `embedder` (the one the model was trained with)."""
    return words(outputs), shape_matrix(prompts, outputs, embedder)


def shape_matrix(prompts: list[str], outputs: list[str], embedder) -> np.ndarray:
    """The shape block alone, the prompt-answer cosine from `embedder`."""
    from seedling.embedders import unit_rows

    vectors = unit_rows(embedder.encode(prompts + outputs))
    return shapes(prompts, outputs, vectors[:len(outputs)], vectors[len(outputs):])


def words(outputs: list[str]) -> sp.csr_matrix:
    """Hashed word and punctuation 1-2 grams of each answer, each row of length 1 (a stateless
    hash: nothing to fit or ship but the weights), the rows spread over the cores."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from curate import parallel

    if not outputs:
        return sp.csr_matrix((0, HASH_DIMS), dtype=np.float32)
    vectorizer = HashingVectorizer(n_features=HASH_DIMS, ngram_range=(1, 2), alternate_sign=False, norm="l2",
                                   token_pattern=TOKEN, lowercase=True, dtype=np.float32)
    parts = parallel.chunks(lambda start, stop: vectorizer.transform(outputs[start:stop]).tocsr(), len(outputs),
                            PARALLEL_ROWS)
    return sp.vstack(parts).tocsr()


def consensus(groups: list[str], word_matrix: sp.csr_matrix) -> np.ndarray:
    """Each answer's cosine to the sum of the other answers to its prompt (`groups`: one key a
    row), over hashed words: answers that say what most others say are more often right, the
    idea of minimum-Bayes-risk choice among samples. NaN where a prompt has fewer than
    CONSENSUS_MIN answers."""
    out = np.full(len(groups), np.nan)
    members: dict[str, list[int]] = {}
    for row, key in enumerate(groups):
        members.setdefault(key, []).append(row)
    for rows in members.values():
        if len(rows) < CONSENSUS_MIN:
            continue
        block = word_matrix[rows]
        total = np.asarray(block.sum(axis=0)).ravel()
        dots = np.asarray(block @ total).ravel()
        own = np.asarray(block.multiply(block).sum(axis=1)).ravel()
        others = np.sqrt(np.maximum(total @ total - 2 * dots + own, 1e-12))  # |total - row|
        out[rows] = (dots - own) / others
    return out

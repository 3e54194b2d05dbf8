"""Tier 3: semantic duplicates from embeddings: paraphrases that share few words.

By default only rows whose answer can be evidence take part (more than a few words, not a
label the dataset gives many times): two prompts whose answer is "yes" are not the same task
because their embeddings are close. The answers of a paraphrase must share at least half their
words (two news stories embed close), so the candidates are the pairs MinHash LSH finds on the
answers' words, and no neighbour search over all rows is needed. A pair is the same task only
when EVERY part it has is close: its score is the lowest of the instruction, output and input
cosines (an input on one side only scores 0; no input on either side is not compared). A close
pair is still two tasks when one row's answer is the other's prompt (a summary and its
dialogue), when the pair shares a passage (the near tier reads the words beside it), or when
an entity, number or name swapped between the prompts is followed by the answers (grapes /
chocolate) and the answers are not the same; a pair whose prompts differ only in template
wording is a template variant, not a copy. A pool of prompts without answers, or the fields a
user names, is compared by `fields.py` instead; the audit says which fields and why.

The threshold is the embedder's calibrated one unless given (for prompts alone its stricter
prompt threshold), and it is checked against the data: each part's threshold is raised to that
part's "data floor", the 99.9th percentile cosine of random pairs of rows whose texts differ.
Long texts and templated instructions run high on a static model; unrelated rows of THIS
dataset score up to the floor, so only pairs above it can be the same task. A removal's reason
names the parts its pair compared and the floors that raised them. Pairs down to 0.1 below the
threshold are kept, so `rethreshold` can move it without embedding again.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from curate import parallel
from curate.dedup import lsh, rescore
from curate.dedup.align import Brief
from curate.dedup.compare import load_kernels, shared_passage, template_only
from curate.dedup.content import swapped
from curate.dedup.context import DedupContext
from curate.dedup.fields import Compared, candidates, compared, field_scores, judge
from curate.dedup.grams import spans
from curate.dedup.looks import ANSWERS_DIFFER, INVERSE, close_answer_kinds
from curate.dedup.result import Removal, TierOutcome, resolve_pairs
from curate.dedup.token_ids import normalised_digests
from curate.vectors import pair_cosines
from seedling.distinct import distinct
from seedling.errors import SeedlingError

FLOOR = 0.1
BORDER = 0.03
FLOOR_QUANTILE = 0.999
FLOOR_PAIRS = 20000
FLOOR_MIN_ROWS = 50
PARTS = ("instruction", "input", "output")
NUM_BANDS = 32  # of 128 permutations: a pair at Jaccard 0.5 is proposed 87 %, at 0.6 99 % of the time
COMMON_SHARE = 0.01  # a word in this share of the answers is too common to propose a pair
COMMON_MIN_ANSWERS = 20
ANSWER_BLOCK = 50_000  # answers read at once
PAIRS_A_CORE = 5000  # fewer close pairs than this a core are judged here: a fork costs more
ANSWER_KINDS = {0: None, ANSWERS_DIFFER: "answers_differ", INVERSE: "inverse"}


def threshold_for(ctx: DedupContext, how: Compared | None = None, embedder=None) -> float:
    """The flag's value, else the calibrated one of the embedder that scores (`ctx.embedder`
    unless given): for prompts alone (no answer in the comparison) the stricter prompt
    threshold, since nothing else backs the cosine."""
    if ctx.options.semantic_threshold is not None:
        return ctx.options.semantic_threshold
    calibration = getattr(embedder or ctx.embedder, "calibration", None)
    if calibration is None:
        raise SeedlingError(
            "the semantic tier needs a threshold for this embedder: none is calibrated for it, and "
            "one measured on another model does not carry over. Pass --semantic-threshold, or run "
            "`seedling audit` first and read the similarity distribution and borderline pairs."
        )
    if how is not None and "output" not in how.fields and calibration.prompts is not None:
        return calibration.prompts
    return calibration.duplicate


class RowVectors:
    """The fields' unit vectors of the rows a tier compares, encoded for those rows only."""

    def __init__(self, ctx: DedupContext, rows: np.ndarray, vectors=None):
        self.vectors, self.rows = vectors or ctx.vectors, rows
        self.at = np.full(len(ctx.records), -1, dtype=np.int64)
        self.at[rows] = np.arange(len(rows))
        self.has_input = np.fromiter((bool(ctx.records[r].input.strip()) for r in rows.tolist()), dtype=bool,
                                     count=len(rows))
        self._fields: dict = {}

    def cosines(self, name: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The cosine of each pair (i[k], j[k]) of the rows, in field `name`."""
        if name not in self._fields:
            self._fields[name] = self.vectors.rows(name, self.rows)
        return pair_cosines(self._fields[name], self.at[i], self.at[j])


def part_scores(vectors: RowVectors, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    out = {name: vectors.cosines(name, i, j) for name in ("instruction", "output")}
    inp = vectors.cosines("input", i, j)
    compared = vectors.has_input[vectors.at[i]] | vectors.has_input[vectors.at[j]]
    out["input"] = np.where(compared, inp, np.nan)  # no input on either side: not compared
    return out


def data_floors(ctx: DedupContext, vectors: RowVectors, seed: int = 0, parts=PARTS,
                population: np.ndarray | None = None) -> dict[str, float]:
    """Per part, the 99.9th percentile cosine of random pairs of rows (of `population`, else
    all the vectors' rows) whose texts differ."""
    rng = np.random.default_rng(seed)
    floors = {}
    for name in parts:
        present = np.array([i for i in np.asarray(vectors.rows if population is None else population).tolist()
                            if getattr(ctx.records[i], name).strip()], dtype=np.int64)
        if len(present) < FLOOR_MIN_ROWS:
            continue
        a, b = rng.choice(present, FLOOR_PAIRS), rng.choice(present, FLOOR_PAIRS)
        both = np.union1d(a, b).tolist()
        text = dict(zip(both, normalised_digests([getattr(ctx.records[x], name) for x in both])))
        differ = np.array([text[int(x)] != text[int(y)] for x, y in zip(a, b)], dtype=bool)
        if differ.sum() < FLOOR_MIN_ROWS:
            continue
        sims = vectors.cosines(name, a[differ], b[differ])
        floors[name] = round(float(np.quantile(sims, FLOOR_QUANTILE)), 4)
    return floors


def pair_score(parts: dict[str, float], threshold: float, floors: dict[str, float]) -> float:
    """Equals `threshold` exactly when every compared part reaches max(threshold, its floor);
    the lowest part's margin otherwise. Comparable across pairs, and exact for any threshold."""
    return threshold + min(c - max(threshold, floors.get(name, 0.0)) for name, c in parts.items())


def _reason(parts: dict[str, float], threshold: float, floors: dict[str, float], margin: float, what: str) -> str:
    """Names the parts this pair compared, and the floors that raised the bar for them."""
    lifted = [f"{k} {floors[k]:.2f}" for k in parts if floors.get(k, 0.0) > threshold]
    note = f"; raised to the data floor for {', '.join(lifted)}" if lifted else ""
    return f"semantic{what}: {', '.join(parts)} cosine >= {threshold:.2f}{note} (margin {margin:+.3f})"


def resolve(pairs, priority: list[int], threshold: float, floors: dict[str, float], what: str = "") -> list[Removal]:
    chosen = [(i, j, pair_score(parts, threshold, floors)) for i, j, parts in pairs]
    chosen = [p for p in chosen if p[2] >= threshold]
    parts_of = {frozenset((i, j)): parts for i, j, parts in pairs}
    return resolve_pairs(chosen, priority, "semantic", lambda i, j, s: _reason(
        parts_of[frozenset((i, j))], threshold, floors, s - threshold, what))


def answer_pairs(anatomy, rows: np.ndarray, executor=None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows whose answers may share half their words: MinHash LSH on each answer's
    rarer words. Words that most answers use ("the", "is") would make any two English answers
    look alike and propose a large share of all pairs; set aside, two unrelated answers share
    almost nothing, and two that say the same thing still share most of what is left. Only
    such pairs can be paraphrases here, so no neighbour search over all rows is needed."""
    first, second = lsh.candidates(len(rows), lsh.part(*rare_words(anatomy, rows)), NUM_BANDS, executor)
    return rows[first], rows[second]


def rare_words(anatomy, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, token ids): each answer's distinct words that fewer than COMMON_SHARE of the
    answers use (all its words when it has no such word), a block of rows at a time."""
    words, owners = [], []
    common = np.zeros(len(anatomy.vocab), dtype=np.int64)
    for start in range(0, len(rows), ANSWER_BLOCK):
        block = rows[start:start + ANSWER_BLOCK]
        at, bounds = spans(anatomy.answer_offsets, block)
        owner = np.repeat(np.arange(start, start + len(block), dtype=np.int64), np.diff(bounds))
        held = distinct((owner << 32) | anatomy.answer_tokens[at])
        owners.append(held >> 32)
        words.append(held & 0xFFFFFFFF)
        common += np.bincount(words[-1], minlength=len(common))
    owner = np.concatenate(owners or [np.zeros(0, np.int64)])
    word = np.concatenate(words or [np.zeros(0, np.int64)])
    rare = common[word] < max(COMMON_MIN_ANSWERS, COMMON_SHARE * len(rows))
    keep = rare | ~(np.bincount(owner[rare], minlength=len(rows)) > 0)[owner]
    return np.concatenate(([0], np.cumsum(np.bincount(owner[keep], minlength=len(rows))))), word[keep]


def run(ctx: DedupContext, alive: list[int]) -> TierOutcome:
    how = compared(ctx)
    threshold = threshold_for(ctx, how)
    alive = np.asarray(alive, dtype=np.int64)
    if not how.evidence:
        return _run_fields(ctx, alive, how, threshold)
    anatomy = ctx.anatomy
    rows = alive[anatomy.informative[alive]]
    if len(rows) < 2:
        return TierOutcome("semantic", len(alive), [], {"threshold": threshold, "evidence_rows": len(rows),
                                                        "compared": list(how.fields), "why": how.why,
                                                        "data_floors": {}})
    i, j = answer_pairs(anatomy, rows, ctx.executor)
    vectors = RowVectors(ctx, rows)
    parts = part_scores(vectors, i, j)
    floors = data_floors(ctx, vectors)
    stacked = np.stack([parts[name] for name in PARTS], axis=1)
    limits = np.array([max(threshold, floors.get(name, 0.0)) for name in PARTS])
    score = threshold + np.nanmin(stacked - limits, axis=1)
    pairs, variants = [], []
    skipped = {"answers_differ": 0, "inverse": 0, "shared_passage": 0, "content_differs": 0}
    agreeing = []
    close = score >= threshold - FLOOR
    x_close, y_close = i[close].tolist(), j[close].tolist()
    load_kernels(anatomy)
    kinds = parallel.chunks(lambda start, stop: _kinds(ctx, x_close[start:stop], y_close[start:stop]),
                            len(x_close), PAIRS_A_CORE)
    kinds = (k for part in kinds for k in part)
    for x, y, p, s, kind in zip(x_close, y_close, stacked[close], score[close], kinds):
        if kind != "answers_differ":
            agreeing.append(float(s))
        _place(kind, (x, y, {name: float(c) for name, c in zip(PARTS, p) if not np.isnan(c)}), float(s), threshold,
               pairs, variants, skipped)
    details = _details(ctx, how, threshold, floors, pairs, agreeing, skipped)
    details.update(evidence_rows=len(rows), candidate_pairs=len(i))
    redecide = partial(resolve, pairs, ctx.priority, floors=floors)
    return TierOutcome("semantic", len(alive), redecide(threshold), details, variants=variants, redecide=redecide)


def _place(kind: str, pair: tuple, score: float, threshold: float, pairs: list, variants: list,
           skipped: dict[str, int]) -> None:
    """File a judged close pair: a duplicate candidate, a template variant, or a counted reason not."""
    if kind == "variant":
        if score >= threshold:
            variants.append((pair[0], pair[1], round(score, 4)))
    elif kind != "pair":
        skipped[kind] += 1
    else:
        pairs.append(pair)


def _kinds(ctx: DedupContext, xs: list[int], ys: list[int]) -> list[str]:
    """What each close pair of evidence rows is: a `pair` to score, a `variant`, or why not a
    duplicate. The pairs the answers do not settle are aligned together (`align.aligned`), but
    for those the near tier aligned already (`ctx.known`)."""
    anatomy = ctx.anatomy
    out: list[str | None] = [ANSWER_KINDS[kind] for kind in close_answer_kinds(anatomy, xs, ys).tolist()]
    open_ = [k for k, kind in enumerate(out) if kind is None]
    for k, (sa, sb) in zip(open_, ctx.known.briefs(anatomy, [xs[k] for k in open_], [ys[k] for k in open_])):
        out[k] = _prompts_kind(ctx, xs[k], ys[k], sa, sb)
    return out


def _prompts_kind(ctx: DedupContext, x: int, y: int, sa: Brief, sb: Brief) -> str:
    if shared_passage(sa, sb):
        return "shared_passage"  # one passage, maybe two questions: the near tier reads the words
    if template_only(sa, sb):
        return "variant"
    a, b = ctx.anatomy.prompts[x], ctx.anatomy.prompts[y]
    if a.answer_key != b.answer_key and swapped(
            ctx.records[x].prompt, ctx.records[y].prompt, ctx.records[x].output, ctx.records[y].output):
        return "content_differs"  # an entity, number or name swapped, and the answers follow it
    return "pair"


def _run_fields(ctx: DedupContext, alive: np.ndarray, how: Compared, threshold: float) -> TierOutcome:
    """Pairs from a neighbour search over the chosen fields; no answer needs to agree."""
    rows, i, j = candidates(ctx, how, alive)
    vectors, population, model = RowVectors(ctx, rows), None, rescore.prompt_model(ctx, rows) if how.prompts else None
    if model is not None:
        i, j = rescore.proposed(field_scores(ctx, how.fields, vectors, i, j), i, j)
        encoder, encoded, population = rescore.encoded_rows(ctx, model, rows, i, j)
        vectors, threshold = RowVectors(ctx, encoded, encoder), threshold_for(ctx, how, model)
    floors = data_floors(ctx, vectors, parts=how.fields, population=population) if len(rows) >= 2 else {}
    scored = field_scores(ctx, how.fields, vectors, i, j)
    close = [(x, y, parts, s) for x, y, parts in zip(i.tolist(), j.tolist(), scored)
             if parts and (s := pair_score(parts, threshold, floors)) >= threshold - FLOOR]
    kinds = judge(ctx, how, [c[0] for c in close], [c[1] for c in close])
    pairs, variants, agreeing = [], [], [float(c[3]) for c in close]
    skipped = {"shared_passage": 0, "content_differs": 0}
    for (x, y, parts, s), kind in zip(close, kinds):
        _place(kind, (x, y, parts), float(s), threshold, pairs, variants, skipped)
    details = _details(ctx, how, threshold, floors, pairs, agreeing, skipped)
    details.update(compared_rows=len(rows), candidate_pairs=len(i))
    if model is not None:
        details.update(scored_by=model.model_id, rescored_rows=len(vectors.rows),
                       proposed_by=f"{details['embedder']}, pairs whose cosine reaches {rescore.CANDIDATE}")
    what = f" ({', '.join(how.fields)} only{f', scored by {model.model_id}' if model is not None else ''})"
    redecide = partial(resolve, pairs, ctx.priority, floors=floors, what=what)
    return TierOutcome("semantic", len(alive), redecide(threshold), details, variants=variants, redecide=redecide)


def _details(ctx, how: Compared, threshold: float, floors, pairs, agreeing, skipped) -> dict:
    scored = [(x, y, pair_score(p, threshold, floors)) for x, y, p in pairs]
    return {
        "threshold": threshold,
        "threshold_from": ("flag/config" if ctx.options.semantic_threshold is not None else
                           "embedder calibration" + ("" if "output" in how.fields else " (prompts)")),
        "compared": list(how.fields),
        "why": how.why,
        "data_floors": floors,
        "embedder": getattr(ctx.embedder, "model_id", type(ctx.embedder).__name__),
        "pair_scores": [round(s, 4) for s in agreeing],
        "borderline_pairs": sorted((p for p in scored if abs(p[2] - threshold) <= BORDER), key=lambda p: -p[2]),
        "close_pairs_not_duplicates": skipped,
    }

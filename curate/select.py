"""Selection to a budget: rank by one combined score, then add rows greedily unless too
similar to a row already chosen (Deita's rule), with a floor for clusters.

The score is curate/scores/combined.py's product of score parts.

Order of choosing:
1. floor: every cluster of the pool that has a candidate scoring above the pool's median gets
   its best such row first (clusters taken by that row's score while the budget allows);
2. the remaining candidates by descending score (ties: pool order);
3. a row is chosen only when its highest cosine to the rows chosen so far is below the
   threshold (the embedder's calibrated duplicate threshold) and no row with the same prompt
   is chosen yet (another answer to the same prompt is the same task again), until the budget
   is full; a prompt is judged by its best answer: when that one is too similar to a chosen
   row, its weaker answers are not tried in its place (an answer that differs from the chosen
   rows only by being worse or off the point is no new task);
4. if every candidate has been decided and the budget is not full (a pool of many answers to
   few tasks), the rows left as too similar fill it, each reported so: every prompt's second
   answer before any prompt's third, by score within each round.
A floor row obeys the cosine rule too: if each of a cluster's rows above the median is within
the threshold of a chosen row, the cluster's task is already there and it is reported.

Similarity is the cosine of whole-example vectors (instruction, input and output weighted
equally, as `FieldVectors.example`), so rows that share an instruction over different inputs
are not mistaken for one another. Nearest chosen rows come from `neighbours.GrowingIndex`
(exact blocks below 50,000 chosen rows, usearch HNSW above; cosines recomputed exactly).
A row's nearest chosen row is the one it was compared against: the closest row chosen before
it (for a left row, the one that blocked it); rows the budget never reached get the closest
of the final chosen rows."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from curate.neighbours import GrowingIndex
from curate.scores.combined import PART_RULES, combined_score

BLOCK = 1024
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")  # an answer mostly outside it: the learned score never saw its like
LETTER = re.compile(r"[^\W\d_]")


def rule(used: list[str]) -> str:
    parts = " * ".join(PART_RULES.get(p, f"percentile({p})") for p in used)
    return (f"score = {parts} (unscored: the pool's median); cluster floors first, "
            "then by score; a row is chosen only if its highest cosine to the chosen rows is below the threshold and "
            "no answer to its prompt is chosen yet (a prompt judged by its best answer); rows left as too similar fill a "
            "budget the others cannot, every prompt's second answer before any prompt's third")


def check_budget(select: float | None, rows: int) -> None:
    """A count above the rows read is a mistake to say before any work, not a silent cap."""
    from seedling.errors import ConfigError

    if select is not None and select >= 1 and select > rows:
        raise ConfigError(f"select {int(select)} asks for more rows than the {rows} read: ask for at most {rows}, "
                          "or for a share such as 0.5")


def budget(select: float, pool: int) -> int:
    """A count (>= 1) or a share of the pool (< 1), at most the pool."""
    return min(pool, int(select) if select >= 1 else max(1, round(select * pool)))


@dataclass
class Selection:
    chosen: list[int]  # pool row numbers, in the order they were chosen
    score: np.ndarray
    rank: np.ndarray  # 1 = best score
    nearest: np.ndarray  # closest chosen row when the row was decided (-1: none); for rows the
    cosine: np.ndarray   # budget never reached, the closest of the final chosen rows
    reason: list[str]
    summary: dict[str, Any] = field(default_factory=dict)


def _floor_rows(candidates: np.ndarray, score: np.ndarray, labels: np.ndarray, median: float) -> list[list[int]]:
    """Per cluster with a candidate above the median: its above-median rows, best first;
    clusters ordered by their best row's score."""
    above: dict[int, list[int]] = {}
    for i in candidates[np.argsort(-score[candidates], kind="stable")]:
        if score[i] > median:
            above.setdefault(int(labels[i]), []).append(int(i))
    return sorted(above.values(), key=lambda rows: -score[rows[0]])


def _fill_order(left: list[int], prompts: Sequence[Hashable], chosen: list[int]) -> list[int]:
    """Rows left as too similar, in the order they fill a budget: a prompt's k-th answer before
    any prompt's (k+1)-th, by score within each round (`left` comes best first). Filled by score
    alone, the few prompts whose answers all score high would take the whole fill."""
    taken = Counter(prompts[i] for i in chosen)
    rounds = []
    for position, row in enumerate(left):
        rounds.append((taken[prompts[row]], position, row))
        taken[prompts[row]] += 1
    return [row for *_, row in sorted(rounds)]


def greedy(vectors: np.ndarray, score: np.ndarray, labels: np.ndarray, candidates: np.ndarray, n: int,
           threshold: float, prompts: Sequence[Hashable] | None = None) -> Selection:
    """Choose `n` of `candidates` (pool row numbers); every pool row gets a reason. Rows with
    equal `prompts` keys (normalised prompts) are one task: one of them in the first pass."""
    started = time.perf_counter()
    prompts = range(len(score)) if prompts is None else prompts  # no keys given: every row its own task
    candidates = np.asarray(candidates, dtype=np.int64)
    median = float(np.median(score[candidates])) if len(candidates) else 0.0
    index = GrowingIndex(vectors)
    state: dict[int, tuple[str, int, float]] = {}  # row -> (verdict, nearest chosen row, cosine) when decided
    task_of: dict[Hashable, int] = {}  # prompt key -> the row chosen for it
    same_prompt: set[int] = set()
    passed_over: dict[Hashable, int] = {}  # prompt key -> its best row, left as too similar to a chosen row
    task_similar: set[int] = set()  # the other answers to such a prompt: the task is taken as there already
    floors_blocked: list[int] = []

    def consider(rows: list[int], stop_at_first: bool = False) -> int | None:
        """Decide `rows` in order against the chosen set; returns the first row chosen."""
        rows_arr = np.asarray(rows, dtype=np.int64)
        before, before_sim = index.nearest(rows_arr)
        block = vectors[rows_arr]
        gram = block @ block.T
        taken: list[int] = []
        for j, row in enumerate(rows):
            if len(index) + len(taken) >= n:
                break
            near, sim = int(before[j]), float(before_sim[j])
            if taken:
                k = int(np.argmax(gram[j, taken]))
                if gram[j, taken[k]] > sim:
                    near, sim = rows[taken[k]], float(gram[j, taken[k]])
            if prompts[row] in task_of:
                chosen_row = task_of[prompts[row]]
                state[row] = ("similar", chosen_row, float(vectors[row] @ vectors[chosen_row]))
                same_prompt.add(row)
                continue
            if prompts[row] in passed_over:
                state[row] = ("similar", *state[passed_over[prompts[row]]][1:])
                task_similar.add(row)
                continue
            if sim >= threshold:
                state[row] = ("similar", near, sim)
                passed_over[prompts[row]] = row
                continue
            state[row] = ("chosen", near, sim)
            task_of[prompts[row]] = row
            taken.append(j)
            if stop_at_first:
                break
        index.add([rows[j] for j in taken])
        return rows[taken[0]] if taken else None

    floors = _floor_rows(candidates, score, labels, median)
    floor_of: dict[int, int] = {}
    for rows in floors:
        if len(index) >= n:
            break
        got = None
        for start in range(0, len(rows), 64):
            got = consider(rows[start:start + 64], stop_at_first=True)
            if got is not None:
                floor_of[got] = int(labels[got])
                break
        if got is None:
            floors_blocked.append(int(labels[rows[0]]))
    order = [int(i) for i in candidates[np.argsort(-score[candidates], kind="stable")] if int(i) not in floor_of]
    for start in range(0, len(order), BLOCK):
        if len(index) >= n:
            break
        consider([r for r in order[start:start + BLOCK] if state.get(r, ("",))[0] != "chosen"])
    left = [r for r in order if state.get(r, ("",))[0] == "similar"]
    fill = _fill_order(left, prompts, index.members)[:max(0, n - len(index))]
    for row in fill:
        state[row] = ("filled", *state[row][1:])
    index.add(fill)
    greedy_s = time.perf_counter() - started

    chosen = index.members
    pool = len(score)
    rank = np.empty(pool, dtype=np.int64)
    rank[np.argsort(-score, kind="stable")] = np.arange(1, pool + 1)
    nearest = np.full(pool, -1, dtype=np.int64)
    cosine = np.full(pool, -np.inf, dtype=np.float32)
    for row, (_, near, sim) in state.items():
        nearest[row], cosine[row] = near, sim
    unseen = np.array([i for i in candidates.tolist() if i not in state], dtype=np.int64)
    nearest[unseen], cosine[unseen] = index.nearest(unseen)  # the budget filled before they came up
    chosen_set = set(chosen)
    in_pool = set(candidates.tolist())
    reasons = []
    for i in range(pool):
        near = f"{cosine[i]:.3f} to input row {nearest[i]}" if nearest[i] >= 0 else "none"
        if i in chosen_set:
            if state[i][0] == "filled":
                why = (f"another answer to the prompt of chosen input row {nearest[i]}" if i in same_prompt else
                       f"a better answer to its prompt has cosine {cosine[i]:.3f} to chosen input row {nearest[i]}"
                       if i in task_similar else f"its cosine {cosine[i]:.3f} to chosen input row {nearest[i]} is >= "
                       f"{threshold}")
                reasons.append(f"chosen to fill the budget: rank {rank[i]} by score {score[i]:.4f}, although {why} "
                               "(the distinct rows ran out first)")
                continue
            why = (f"chosen: cluster {floor_of[i]}'s best row above the median (floor)" if i in floor_of
                   else f"chosen: rank {rank[i]} by score {score[i]:.4f}")
            reasons.append(f"{why}; highest cosine to rows chosen before it: {near} (< {threshold})")
        elif i not in in_pool:
            reasons.append("left: not a candidate (removed by curate)")
        elif i in task_similar:
            reasons.append(f"left: a better answer to its prompt has cosine {cosine[i]:.3f} >= {threshold} to chosen "
                           f"input row {nearest[i]}, so the task counts as chosen (rank {rank[i]}, score {score[i]:.4f})")
        elif i in same_prompt:
            reasons.append(f"left: another answer to the prompt of chosen input row {nearest[i]} (rank {rank[i]}, "
                           f"score {score[i]:.4f})")
        elif state.get(i, ("",))[0] == "similar":
            reasons.append(f"left: cosine {cosine[i]:.3f} >= {threshold} to chosen input row {nearest[i]} "
                           f"(rank {rank[i]}, score {score[i]:.4f})")
        else:
            reasons.append(f"left: budget of {n} full before rank {rank[i]} (score {score[i]:.4f}); nearest chosen: {near}")
    summary = {"budget": n, "candidates": len(candidates), "chosen": len(chosen), "threshold": threshold,
               "median_score": round(median, 4), "floor_rows": len(floor_of), "floors_blocked": floors_blocked,
               "left_similar": sum(1 for v, *_ in state.values() if v == "similar"),
               "left_same_prompt": len(same_prompt), "left_task_similar": len(task_similar),
               "filled_similar": len(fill),
               "greedy_seconds": round(greedy_s, 3), "seconds": round(time.perf_counter() - started, 3)}
    return Selection(list(chosen), score, rank, nearest, cosine, reasons, summary)


def select_rows(records, vectors: np.ndarray, qualities, columns: list[dict[str, Any]], labels: np.ndarray,
                candidates: list[int], select: float, threshold: float | None, threshold_from: str = "",
                select_by: list[str] | None = None) -> tuple[list[int], list[dict[str, Any]], dict[str, Any]]:
    """The chosen row numbers (best score first), one line a row for selection.jsonl, and the
    audit figures."""
    from seedling.errors import ConfigError

    if threshold is None:
        raise ConfigError("selection needs a duplicate threshold and this embedder has no calibrated one "
                          "(curate/calibration.md): pass --semantic-threshold")
    score, parts, used = combined_score(qualities, columns, select_by, [r.meta for r in records])
    n = budget(select, len(candidates))
    from seedling.text import normalize

    prompts = [normalize(r.prompt) for r in records]
    picked = greedy(vectors, score, np.asarray(labels), np.asarray(candidates, dtype=np.int64), n, threshold, prompts)
    chosen = sorted(picked.chosen, key=lambda i: picked.rank[i])
    ids = [r.id for r in records]
    chosen_set = set(chosen)
    lines = [{"id": ids[i], "selected": i in chosen_set, "score": round(float(score[i]), 4), "rank": int(picked.rank[i]),
              "parts": {k: round(float(v[i]), 4) for k, v in parts.items()},
              "nearest_chosen": ids[picked.nearest[i]] if picked.nearest[i] >= 0 else None,
              "nearest_cosine": round(float(picked.cosine[i]), 4) if picked.nearest[i] >= 0 else None,
              "reason": picked.reason[i]} for i in range(len(records))]
    heads = [r.output[:2000] for r in records]
    unlike = sum(1 for head in heads if len(LATIN.findall(head)) < 0.5 * len(LETTER.findall(head)))
    audit = {"rule": rule(used), "parts": used, "shown_not_used": [p for p in parts if p not in used],
             "not_latin_script": unlike,
             "request": select, **picked.summary,
             "similarity": "cosine of whole-example vectors (instruction, input, output equally weighted)",
             "threshold_from": threshold_from}
    return chosen, lines, audit


def describe(instruction_vectors: np.ndarray, records, labels: np.ndarray, chosen: list[int], sample: int = 1000
             ) -> dict[str, Any]:
    """Coverage and diversity of the selection against the whole pool: clusters reached,
    cluster-size entropy, pairwise diversity and distinct-n of the instructions."""
    from curate.diversity import scores
    from curate.diversity.clusters import size_entropy

    labels = np.asarray(labels)
    k = int(labels.max()) + 1 if len(labels) else 0
    pool_sizes = np.bincount(labels, minlength=k) if k else np.zeros(0, dtype=np.int64)
    chosen_sizes = np.bincount(labels[chosen], minlength=k) if k and chosen else np.zeros(k, dtype=np.int64)
    texts = [r.instruction for r in records]

    def figures(rows) -> dict[str, Any]:
        rows = np.asarray(rows, dtype=np.int64)
        return {**scores.pairwise(instruction_vectors[rows], sample), **scores.distinct_n([texts[i] for i in rows])}

    return {"coverage": {"clusters": k, "clusters_reached": int((chosen_sizes > 0).sum()),
                         "entropy_pool": size_entropy(pool_sizes), "entropy_selected": size_entropy(chosen_sizes),
                         "per_cluster": [{"cluster": c, "pool": int(pool_sizes[c]), "selected": int(chosen_sizes[c])}
                                         for c in range(k)]},
            "diversity": {"pool": figures(range(len(records))), "selected": figures(chosen)}}

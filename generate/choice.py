"""Which of a steered round's candidate tasks to answer first. A small teacher aimed at a seed
task no row covers seldom writes a task that close (one screened task in three to seven,
measured in generate/README.md), so a steered round asks for more task lists than it needs
(`steer_overask`) and answers first the tasks that reach an uncovered seed task, each reaching
one the earlier picks leave open, then the rest, each the farthest from the rows so far and
the picks before it, so what fills the round spreads out instead of following one list.

The tasks are judged as the audit judged coverage: with its embedder, at its threshold
(steering.json's `coverage_judge`)."""

from __future__ import annotations

import numpy as np

from seedling.embedders import load_embedder, unit_rows
from seedling.errors import DataError, ModelNotFound

from generate.steering import Steering


class Choice:
    def __init__(self, targets: list[str], embedder, threshold: float):
        self.embedder = embedder
        self.threshold = threshold
        self.texts = targets
        self.targets = unit_rows(embedder.encode(targets))
        self.rows: dict[str, np.ndarray] = {}  # each row's vector, embedded once: a round asks every batch

    @classmethod
    def of(cls, steering: Steering | None) -> Choice | None:
        """None where the file names no uncovered seed task or no embedder to judge with."""
        if steering is None or steering.judge is None or not steering.uncovered:
            return None
        spec, threshold = steering.judge
        try:
            embedder = load_embedder(spec)
        except ModelNotFound as exc:
            raise DataError(steering.path, "coverage_judge.embedder", f"names an embedder this machine does not have "
                                                                     f"({exc}): the audit's own is needed to choose "
                                                                     "as it judged") from None
        return cls(list(steering.uncovered), embedder, threshold)

    def order(self, tasks: list[str], rows: list[str]) -> list[tuple[int, str | None]]:
        """Indices of `tasks` in the order to answer them, `rows` being the rows so far, each with
        the uncovered seed task it was picked to reach (the nearest of those it reaches) or None."""
        if not tasks:
            return []
        found, made = self._vectors(tasks), self._row_vectors(rows)
        open_targets = (self.targets @ made.T).max(axis=1, initial=-1.0) < self.threshold
        sims = found @ self.targets.T
        reach = (sims >= self.threshold) & open_targets
        picks, aims, left = [], [], np.ones(len(tasks), bool)
        while (gain := np.where(left, reach.sum(axis=1), -1)).max() > 0:
            best = int(np.argmax(gain))
            picks.append(best)
            aims.append(self.texts[int(np.argmax(np.where(reach[best], sims[best], -np.inf)))])
            left[best] = False
            reach[:, reach[best]] = False
        nearest = (found @ made.T).max(axis=1, initial=-1.0)
        for i in picks:
            nearest = np.maximum(nearest, found @ found[i])
        while left.any():
            far = int(np.argmin(np.where(left, nearest, np.inf)))
            picks.append(far)
            left[far] = False
            nearest = np.maximum(nearest, found @ found[far])
        return list(zip(picks, aims + [None] * (len(picks) - len(aims))))

    def _row_vectors(self, rows: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(rows) if t not in self.rows]
        self.rows.update(zip(new, self._vectors(new)))
        return np.array([self.rows[t] for t in rows], np.float32).reshape(len(rows), self.targets.shape[1])

    def _vectors(self, texts: list[str]) -> np.ndarray:
        return unit_rows(self.embedder.encode(texts)) if texts else np.zeros((0, self.targets.shape[1]), np.float32)

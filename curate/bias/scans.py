"""What the bias audit keeps of every row, in memory that does not grow with the rows' words.

Each row is scanned once (curate/bias/mentions.py; the rows spread over the cores) and folded
in: the rows naming each group and each occupation as integer arrays, the pronoun counts as
arrays, and the rows' distinct words counted per axis by the SET of that axis' groups a row
names ({female}, {male}, {female, male}).
A group's side of an association is the sum of the sets holding it and the other side the sum
of the sets holding only other groups, which are the same counts as summing over the rows, so
memory is vocabulary x (sets seen), not rows x words (~10 KB a row at 1M rows). Texts are read
back from the records for the few rows the audit quotes, and sentences re-scanned only for
the rows sentiment samples."""

from __future__ import annotations

from array import array
from collections import Counter
from typing import Sequence

import numpy as np

from curate import parallel
from curate.bias.lexicon import Lexicon, load
from curate.bias.mentions import RowScan, scan
from seedling.record import Record

QUOTE_CHARS = 300  # how much of a quoted row the audit shows


class _Tally:
    """What rows start..stop add to the scans, built where they were scanned and folded in order."""

    def __init__(self, scans: Scans, start: int, stop: int):
        self.female_pronouns = np.zeros(stop - start, dtype=np.int32)
        self.male_pronouns = np.zeros(stop - start, dtype=np.int32)
        self.rows_with_any_mention = 0
        self.background: Counter[str] = Counter()
        self.words_by_axis: dict[str, dict[frozenset[str], Counter[str]]] = {}
        index: dict[tuple[str, str], array] = {}
        occupations: dict[str, array] = {}
        for i in range(start, stop):
            s = scans.rescan(i)
            self.background.update(s.words)
            self.female_pronouns[i - start], self.male_pronouns[i - start] = s.female_pronouns, s.male_pronouns
            for m in s.mentions:
                index.setdefault(m, array("q")).append(i)
            for o in s.occupations:
                occupations.setdefault(o, array("q")).append(i)
            if s.mentions:
                self.rows_with_any_mention += 1
                for axis in {a for a, _ in s.mentions}:
                    named = frozenset(g for a, g in s.mentions if a == axis)
                    self.words_by_axis.setdefault(axis, {}).setdefault(named, Counter()).update(s.words)
        self.index = {m: np.frombuffer(rows, dtype=np.int64) for m, rows in index.items()}
        self.occupations = {o: np.frombuffer(rows, dtype=np.int64) for o, rows in occupations.items()}


class Scans:
    def __init__(self, records: Sequence[Record], cluster_labels=None, lex: Lexicon | None = None):
        self.records = records
        self.lex = lex or load()
        self.labels = None if cluster_labels is None else np.asarray(cluster_labels)
        tallies = parallel.chunks(lambda start, stop: _Tally(self, start, stop), len(records))
        self.female_pronouns = np.concatenate([t.female_pronouns for t in tallies])
        self.male_pronouns = np.concatenate([t.male_pronouns for t in tallies])
        self.rows_with_any_mention = sum(t.rows_with_any_mention for t in tallies)
        self.background: Counter[str] = Counter()  # rows containing each word, over all rows
        self.words_by_axis: dict[str, dict[frozenset[str], Counter[str]]] = {}
        for t in tallies:  # in row order, so every Counter's order is that of one pass over the rows
            self.background.update(t.background)
            for axis, by_named in t.words_by_axis.items():
                for named, counts in by_named.items():
                    self.words_by_axis.setdefault(axis, {}).setdefault(named, Counter()).update(counts)
        self.index = _joined([t.index for t in tallies])
        self.occupations = _joined([t.occupations for t in tallies])

    def __len__(self) -> int:
        return len(self.records)

    def rescan(self, i: int) -> RowScan:
        """Row i scanned (again, for the few rows quoted or sampled): its words and mentioning sentences."""
        s = scan(self.records[i], self.lex)
        if self.labels is not None:  # a row's topic cluster counts as one more word
            s.words.add(f"[cluster {int(self.labels[i])}]")
        return s

    def rows(self, axis: str, group: str) -> np.ndarray:
        return self.index.get((axis, group), np.zeros(0, dtype=np.int64))

    def naming(self, axis: str, names: list[str]) -> np.ndarray:
        """Rows naming any group of `names`, in order, each once."""
        return np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *(self.rows(axis, g) for g in names)]))

    def others(self, axis: str, names: list[str], group: str) -> np.ndarray:
        """Rows naming another group of `names` and not `group`, in order."""
        return np.setdiff1d(self.naming(axis, [g for g in names if g != group]), self.rows(axis, group))

    def counts(self) -> Counter:
        """(axis, group) -> rows mentioning it."""
        return Counter({m: len(rows) for m, rows in self.index.items()})

    def mentioning(self, axis: str, group: str) -> np.ndarray:
        """One flag a row: does it name the group."""
        flags = np.zeros(len(self), dtype=bool)
        flags[self.rows(axis, group)] = True
        return flags

    def text(self, i: int) -> str:
        return self.records[i].prompt[:QUOTE_CHARS]

    def texts(self, rows: np.ndarray, limit: int) -> list[str]:
        return [self.text(int(i)) for i in rows[:limit]]

    def first_rows_with(self, rows: np.ndarray, wanted: list[str], limit: int) -> dict[str, list[int]]:
        """Per word, the first `limit` of `rows` (in order) containing it: one rescan a row, and
        the walk stops once every word has its rows."""
        found: dict[str, list[int]] = {w: [] for w in wanted}
        open_ = set(wanted)
        for i in rows.tolist():
            if not open_:
                break
            words = self.rescan(i).words
            for w in [w for w in open_ if w in words]:
                found[w].append(i)
                if len(found[w]) >= limit:
                    open_.discard(w)
        return found


def _joined(parts: list[dict]) -> dict:
    """Per key, the rows of every part, in order."""
    keys = list(dict.fromkeys(k for part in parts for k in part))
    return {k: np.concatenate([part[k] for part in parts if k in part]) for k in keys}


def scan_all(records: Sequence[Record], cluster_labels=None) -> Scans:
    """Scan every row; a row's topic cluster counts as one more word, so associations cover topics."""
    return Scans(records, cluster_labels)

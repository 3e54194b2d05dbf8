"""Where the sentences that name a group sit, kept from the one scan of every row, so the
audit's quotes and sentiment read them back from the records instead of scanning the rows
again: per sentence five integers (row, part, start, end, the set of groups it names), not
its text."""

from __future__ import annotations

from array import array

import numpy as np

from curate.bias.mentions import RowScan, parts


class SentenceSpans:
    """The mentioning sentences of the rows one worker scanned, in row order."""

    def __init__(self):
        self.columns = [array("q") for _ in range(4)]  # row, part, start, end
        self.codes: dict[frozenset, int] = {}  # each distinct set of (axis, group) named, by first seen
        self.code = array("q")

    def add(self, i: int, s: RowScan) -> None:
        for (part, start, end), (_, named) in zip(s.spans, s.sentences):
            for column, value in zip(self.columns, (i, part, start, end)):
                column.append(value)
            self.code.append(self.codes.setdefault(named, len(self.codes)))


class SentenceTable:
    """The spans of every worker, joined: `sentences(i)` is what a rescan of row i would give."""

    def __init__(self, records, parts_: list[SentenceSpans]):
        self.records = records
        codes: dict[frozenset, int] = {}
        columns, code = [[] for _ in range(4)], []
        for p in parts_:
            remap = np.array([codes.setdefault(n, len(codes)) for n in p.codes] or [0], dtype=np.int64)
            for k in range(4):
                columns[k].append(np.frombuffer(p.columns[k], dtype=np.int64))
            code.append(remap[np.frombuffer(p.code, dtype=np.int64)])
        joined = [np.concatenate(c) if c else np.zeros(0, dtype=np.int64) for c in columns]
        self.row, self.part, self.start, self.end = joined
        self.code = np.concatenate(code) if code else np.zeros(0, dtype=np.int64)
        self.named = list(codes)
        self.bounds = np.searchsorted(self.row, np.arange(len(records) + 1)).tolist()  # row i's spans: bounds[i]:bounds[i + 1]

    def sentences(self, i: int) -> list[tuple[str, frozenset]]:
        """Row i's sentences that name a group, with the (axis, group)s each names."""
        lo, hi = self.bounds[i], self.bounds[i + 1]
        texts = parts(self.records[i])
        return [(texts[p][a:b], self.named[c]) for p, a, b, c in zip(
            self.part[lo:hi].tolist(), self.start[lo:hi].tolist(), self.end[lo:hi].tolist(), self.code[lo:hi].tolist())]


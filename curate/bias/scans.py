"""What the bias audit keeps of every row, in memory that does not grow with the rows' words.

Each row is scanned once (curate/bias/mentions.py; the rows spread over the cores) and folded
in. Evidence is counted per independent example (curate/bias/units.py): the groups, occupations
and pronouns a unit's rows name are one unit's, and the words around a mention are counted with
weight 1 / (rows in the unit), so ten questions about one passage vote once between them.
The context words are summed per axis by the SET of that axis' groups a row names ({female},
{male}, {female, male}), and per group: memory is vocabulary x (sets seen), not rows x words.
Texts are read back from the records for the few rows the audit quotes; the sentences that
name a group are kept as positions in the records (curate/bias/sentences.py), so quoting them
and reading their sentiment needs no second scan."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence

import numpy as np

from curate import parallel
from curate.bias.context_words import content_words, snippet
from curate.bias.lexicon import Lexicon, load
from curate.bias.mentions import RowScan, SentenceReader, scan
from curate.bias.sentences import SentenceSpans, SentenceTable
from seedling.record import Record

QUOTE_CHARS = 300  # how much of a quoted row the audit shows
ROWS_A_CORE = 5000  # fewer rows than this a core are scanned here: a fork costs more
DIGITS = 6  # weighted counts are rounded here, so a sum is the same whatever order the cores added it in


def _add(counter: Counter, words: set[str], weight: float) -> None:
    """Add `weight` to each word's count. A weight of 1 (a row that is its own example, most rows)
    is counted by Counter's C loop, as the integer 1: every count stays the same number (sums of
    integers and weights are exact in either type), and `Scans` makes each a float when it rounds."""
    if weight == 1.0:
        counter.update(words)
    else:
        counter.update(dict.fromkeys(words, weight))


class _Tally:
    """What rows start..stop add to the scans, built where they were scanned and folded in order."""

    def __init__(self, scans: Scans, start: int, stop: int):
        female, male = array("q", bytes(8 * (stop - start))), array("q", bytes(8 * (stop - start)))
        self.any_mention = np.zeros(stop - start, dtype=bool)
        self.background: Counter[str] = Counter()  # weighted examples holding each word near any mention
        self.near_group: dict[tuple[str, str], Counter[str]] = {}
        self.near_named: dict[str, dict[frozenset[str], Counter[str]]] = {}
        index: dict[tuple[str, str], array] = {}
        occupations: dict[str, array] = {}
        self.spans = SentenceSpans()
        alone: dict[tuple[str, str], Counter[str]] = {}  # near words of the rows naming that group and no other
        solo: dict[tuple[str, str], Counter[str]] = {}  # ... of the other rows naming no other group of its axis
        for i, w in zip(range(start, stop), scans.weight[start:stop].tolist()):
            s = scans.rescan(i)
            female[i - start], male[i - start] = s.female_pronouns, s.male_pronouns
            for o in s.occupations:
                _entry(occupations, o, _rows).append(i)
            if not s.mentions:
                continue
            self.spans.add(i, s)
            self.any_mention[i - start] = True
            for m in s.mentions:
                _entry(index, m, _rows).append(i)
            if len(s.near) == 1:  # one group named (most rows): counted once, added to its three tallies below
                (m, near), = s.near.items()
                _add(self._held(alone, m), near, w)
                continue
            _add(self.background, set().union(*s.near.values()), w)
            for axis, groups in _by_axis(s.near).items():
                if len(groups) == 1:  # the axis' one group: counted once, added to its two tallies below
                    _add(self._held(solo, (axis, groups[0])), s.near[(axis, groups[0])], w)
                    continue
                for g in groups:
                    _add(_entry(self.near_group, (axis, g), Counter), s.near[(axis, g)], w)
                named = _entry(self.near_named.setdefault(axis, {}), frozenset(groups), Counter)
                _add(named, set().union(*(s.near[(axis, g)] for g in groups)), w)
        for counts in alone.values():
            self.background.update(counts)
        for m in solo.keys() | alone.keys():
            for counter in (self.near_group[m], self.near_named[m[0]][frozenset((m[1],))]):
                counter.update(alone.get(m, {}))
                counter.update(solo.get(m, {}))
        self.female_pronouns = np.frombuffer(female, dtype=np.int64)
        self.male_pronouns = np.frombuffer(male, dtype=np.int64)
        self.index = {m: np.frombuffer(rows, dtype=np.int64) for m, rows in index.items()}
        self.occupations = {o: np.frombuffer(rows, dtype=np.int64) for o, rows in occupations.items()}

    def _held(self, table: dict[tuple[str, str], Counter], m: tuple[str, str]) -> Counter:
        """table[m], where words are counted for the group's own tallies; those tallies are made
        when the group is first seen, so they come in the order of one pass over the rows."""
        counts = table.get(m)
        if counts is None:
            counts = table[m] = Counter()
            _entry(self.near_group, m, Counter)
            _entry(self.near_named.setdefault(m[0], {}), frozenset((m[1],)), Counter)
        return counts


def _by_axis(near: dict[tuple[str, str], set[str]]) -> dict[str, list[str]]:
    """The groups named, by axis."""
    axes: dict[str, list[str]] = {}
    for axis, group in near:
        axes.setdefault(axis, []).append(group)
    return axes


def _entry(table: dict, key, make):
    """table[key], made by `make()` the first time (setdefault would make one on every call)."""
    found = table.get(key)
    if found is None:
        found = table[key] = make()
    return found


def _rows() -> array:
    return array("q")


class Scans:
    """`units`: per row, its independent example (curate/bias/units.py); None: every row is one.
    Figures are per unit: `rows()`, `counts()`, `mentioning()` and `len()` speak of units."""

    def __init__(self, records: Sequence[Record], cluster_labels=None, lex: Lexicon | None = None, units=None):
        self.records = records
        self.lex = lex or load()
        self.reader = SentenceReader(self.lex)
        self.labels = None if cluster_labels is None else np.asarray(cluster_labels)
        self.unit = np.arange(len(records), dtype=np.int64) if units is None else np.asarray(units, dtype=np.int64)
        self.n_units = int(self.unit.max()) + 1 if len(self.unit) else 0
        sizes = np.bincount(self.unit, minlength=self.n_units)
        self.weight = 1.0 / sizes[self.unit] if len(self.unit) else np.zeros(0)
        self.first_row = np.unique(self.unit, return_index=True)[1]
        tallies = parallel.chunks(lambda start, stop: _Tally(self, start, stop), len(records), ROWS_A_CORE)
        per_row = {k: np.concatenate([getattr(t, k) for t in tallies]) if tallies else np.zeros(0, dtype=np.int32)
                   for k in ("female_pronouns", "male_pronouns")}
        self.female_pronouns, self.male_pronouns = (
            np.bincount(self.unit, weights=per_row[k], minlength=self.n_units).astype(np.int64)
            for k in ("female_pronouns", "male_pronouns"))
        any_mention = np.concatenate([t.any_mention for t in tallies]) if tallies else np.zeros(0, dtype=bool)
        self.rows_with_any_mention = len(np.unique(self.unit[any_mention]))
        self.background: Counter[str] = Counter()
        self.near_group: dict[tuple[str, str], Counter[str]] = {}
        self.near_named: dict[str, dict[frozenset[str], Counter[str]]] = {}
        for t in tallies:  # in row order, so every Counter's order is that of one pass over the rows
            self.background.update(t.background)
            for m, counts in t.near_group.items():
                self.near_group.setdefault(m, Counter()).update(counts)
            for axis, by_named in t.near_named.items():
                for named, counts in by_named.items():
                    self.near_named.setdefault(axis, {}).setdefault(named, Counter()).update(counts)
        named = (c for d in self.near_named.values() for c in d.values())
        for c in [self.background, *self.near_group.values(), *named]:
            for w in c:
                c[w] = round(float(c[w]), DIGITS)
        self.row_index = _joined([t.index for t in tallies])  # (axis, group) -> rows naming it
        self.index = {m: np.unique(self.unit[rows]) for m, rows in self.row_index.items()}  # -> units
        self.occupation_rows = _joined([t.occupations for t in tallies])
        self.sentence_table = SentenceTable(records, [t.spans for t in tallies])
        self.occupations = {o: np.unique(self.unit[rows]) for o, rows in self.occupation_rows.items()}

    def __len__(self) -> int:
        return self.n_units

    def rescan(self, i: int) -> RowScan:
        """Row i scanned: its words and mentioning sentences."""
        s = scan(self.records[i], self.lex, self.reader)
        if self.labels is not None:  # a row's topic cluster counts as one more word near each mention
            topic = f"[cluster {int(self.labels[i])}]"
            for near in s.near.values():
                near.add(topic)
        return s

    def sentences(self, i: int) -> list[tuple[str, frozenset]]:
        """Row i's sentences that name a group, with the (axis, group)s each names, as the scan found them."""
        return self.sentence_table.sentences(i)

    def rows(self, axis: str, group: str) -> np.ndarray:
        """The units naming the group, in order."""
        return self.index.get((axis, group), np.zeros(0, dtype=np.int64))

    def naming(self, axis: str, names: list[str]) -> np.ndarray:
        """Units naming any group of `names`, in order, each once."""
        return np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *(self.rows(axis, g) for g in names)]))

    def others(self, axis: str, names: list[str], group: str) -> np.ndarray:
        """Units naming another group of `names` and not `group`, in order."""
        return np.setdiff1d(self.naming(axis, [g for g in names if g != group]), self.rows(axis, group))

    def counts(self) -> Counter:
        """(axis, group) -> units mentioning it."""
        return Counter({m: len(units) for m, units in self.index.items()})

    def mentioning(self, axis: str, group: str) -> np.ndarray:
        """One flag a unit: does it name the group."""
        flags = np.zeros(len(self), dtype=bool)
        flags[self.rows(axis, group)] = True
        return flags

    def weighted(self, rows: np.ndarray) -> float:
        """How many independent examples `rows` (row indices) hold between them."""
        return float(self.weight[rows].sum())

    def text(self, i: int) -> str:
        return self.records[i].prompt[:QUOTE_CHARS]

    def texts(self, units: np.ndarray, limit: int) -> list[str]:
        """The first row of each of the first `limit` units."""
        return [self.text(int(self.first_row[u])) for u in units[:limit]]

    def quotes(self, axis: str, group: str, limit: int) -> list[str]:
        """The first `limit` rows naming the group, one per unit."""
        seen, out = set(), []
        for i in self.row_index.get((axis, group), np.zeros(0, dtype=np.int64)).tolist():
            if len(out) >= limit:
                break
            if self.unit[i] not in seen:
                seen.add(self.unit[i])
                out.append(self.text(i))
        return out

    def near_examples(self, axis: str, group: str, wanted: list[str], limit: int) -> dict[str, list[str]]:
        """Per word, up to `limit` sentences (one per unit) that name the group and hold the word,
        cut around the word; the walk stops once every word has its sentences."""
        found: dict[str, list[str]] = {w: [] for w in wanted}
        units: dict[str, set[int]] = {w: set() for w in wanted}
        open_ = {w for w in wanted if not w.startswith("[cluster")}
        for w in set(wanted) - open_:  # a topic is not in the text: quote the row
            found[w] = [self.text(i)[:160] for i in self._rows_in_cluster(axis, group, w, limit)]
        for i in self.row_index.get((axis, group), np.zeros(0, dtype=np.int64)).tolist():
            if not open_:
                break
            u = int(self.unit[i])
            for sentence, named in self.sentences(i):
                if (axis, group) not in named:
                    continue
                near = content_words(sentence)
                for w in [w for w in open_ if w in near and u not in units[w]]:
                    found[w].append(snippet(sentence, w))
                    units[w].add(u)
                    if len(found[w]) >= limit:
                        open_.discard(w)
        return found

    def _rows_in_cluster(self, axis: str, group: str, topic: str, limit: int) -> list[int]:
        label = int(topic.removeprefix("[cluster ").rstrip("]"))
        rows = self.row_index.get((axis, group), np.zeros(0, dtype=np.int64))
        picked, seen = [], set()
        for i in rows[self.labels[rows] == label].tolist() if self.labels is not None else []:
            if self.unit[i] not in seen and len(picked) < limit:
                seen.add(self.unit[i])
                picked.append(i)
        return picked


def _joined(parts: list[dict]) -> dict:
    """Per key, the rows of every part, in order."""
    keys = list(dict.fromkeys(k for part in parts for k in part))
    return {k: np.concatenate([part[k] for part in parts if k in part]) for k in keys}


def scan_all(records: Sequence[Record], cluster_labels=None, units=None) -> Scans:
    """Scan every row; a row's topic cluster counts as one more word, so associations cover topics."""
    return Scans(records, cluster_labels, units=units)

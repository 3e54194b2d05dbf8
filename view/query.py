"""Questions the page asks the store: a page of rows under filters and a sort, the values each
filter offers, one row whole. Every value from the page is a bound parameter and every column
name is checked against the store's own, so no request text becomes SQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

PAGE = 100
WORD = re.compile(r"[^\W_]+")  # letters and digits, as the store's search index cuts words
LAST_CHAR = chr(0x10FFFF)  # a word prefix's range ends before the prefix followed by this
LISTED = ("n", "id", "occurrence", "input_row", "status", "selected", "removed_by", "reason", "dup_of", "cluster",
          "flags", "source")
PREVIEW = 240  # characters of each text field a table row carries
SHOWN_COLUMNS = ", ".join(LISTED) + f", left(instruction, {PREVIEW}) AS instruction, left(output, {PREVIEW}) AS output"
FILTERS = ("status", "tier", "reason", "cluster", "flag", "source", "q", "sort", "desc", "offset", "limit")


class BadQuery(ValueError):
    """A request the page should not have sent (an unknown column, a bad number)."""


@dataclass
class Filters:
    status: str = ""  # kept, removed, selected, or decided (by a person: the rows of `decided`)
    decided: list[str] = field(default_factory=list)  # the keys of a person's decisions, for status "decided"
    tier: str = ""
    reason: str = ""
    cluster: int | None = None
    flag: str = ""
    source: str = ""
    q: str = ""
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    sort: str = "n"
    desc: bool = False
    offset: int = 0
    limit: int = PAGE


def _number(params: Mapping[str, str], name: str, kind=float):
    value = params.get(name, "")
    if value == "":
        return None
    try:
        return kind(value)
    except ValueError:
        raise BadQuery(f"{name}: not a number: {value!r}") from None


def parse(params: Mapping[str, str], scores: list[str]) -> Filters:
    """Filters from a query string: min_<score>/max_<score> for ranges, sort by n or any score."""
    sort = params.get("sort", "n") or "n"
    if sort not in ("n", *scores):
        raise BadQuery(f"sort: no score column {sort!r}; columns: n, {', '.join(scores)}")
    unknown = [k for k in params if k not in FILTERS and k.split("_", 1)[-1] not in scores]
    if unknown:
        raise BadQuery(f"unknown filter {unknown[0]!r}")
    ranges = {s: (_number(params, f"min_{s}"), _number(params, f"max_{s}")) for s in scores}
    return Filters(status=params.get("status", ""), tier=params.get("tier", ""), reason=params.get("reason", ""),
                   cluster=_number(params, "cluster", int), flag=params.get("flag", ""),
                   source=params.get("source", ""), q=params.get("q", "").strip(),
                   ranges={k: v for k, v in ranges.items() if v != (None, None)}, sort=sort,
                   desc=params.get("desc", "") in ("1", "true"), offset=max(0, _number(params, "offset", int) or 0),
                   limit=min(500, max(1, _number(params, "limit", int) or PAGE)))


def where(f: Filters) -> tuple[str, list[Any]]:
    clauses, args = [], []
    if f.status == "selected":
        clauses.append("selected")
    elif f.status == "decided":  # keys of decisions: an id (every copy) or id#occurrence
        clauses.append("(id IN (SELECT unnest(?::VARCHAR[])) OR concat(id, '#', occurrence) IN (SELECT unnest(?::VARCHAR[])))")
        args += [f.decided, f.decided]
    elif f.status:
        clauses.append("status = ?")
        args.append(f.status)
    for column, value in (("removed_by", f.tier), ("reason_kind", f.reason), ("source", f.source)):
        if value:
            clauses.append(f"{column} = ?")
            args.append(value)
    if f.cluster is not None:
        clauses.append("cluster = ?")
        args.append(f.cluster)
    if f.flag:
        clauses.append("list_contains(flags, ?)")
        args.append(f.flag)
    if f.q and not WORD.search(f.q):  # only punctuation: find it as written (words: Store.hits)
        clauses.append("contains(haystack, ?)")
        args.append(f.q.lower())
    for column, (lo, hi) in f.ranges.items():
        for bound, op in ((lo, ">="), (hi, "<=")):
            if bound is not None:
                clauses.append(f'"{column}" {op} ?')
                args.append(bound)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


class Store:
    """Read-only over the built store; one cursor per call, so server threads do not share one."""

    def __init__(self, db: Path):
        self.con = duckdb.connect(str(db), read_only=True)
        self.con.execute("SET enable_progress_bar = false")
        self.scores = [r[0] for r in self.con.execute("SELECT name FROM score_columns").fetchall()]
        self.count = self.con.execute("SELECT count(*) FROM rows").fetchall()[0][0]  # rows are n = 0..count-1, in order
        self._lock = threading.Lock()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self.con.cursor()

    def hits(self, words: list[str]) -> np.ndarray:
        """One flag a row (by n): does every word of the query begin a word of the row. Each
        word's rows come from the index as one array and are marked in a mask, which DuckDB
        then reads beside the rows (POSITIONAL JOIN); a semi-join of the rows with the index
        built a hash table of every posting: 374 ms for a word in 98 % of 1M rows, against
        ~50 ms this way."""
        found = np.ones(self.count, dtype=bool)
        cur = self._cursor()
        try:
            for w in words:
                rows = cur.execute("SELECT n FROM postings WHERE word >= ? AND word < ?",
                                   [w, w + LAST_CHAR]).fetchnumpy()["n"]
                mask = np.zeros(self.count, dtype=bool)
                mask[rows] = True
                found &= mask
        finally:
            cur.close()
        return found

    def _all(self, sql: str, args: list[Any] | None = None, hits: np.ndarray | None = None) -> list[dict[str, Any]]:
        """Rows of `sql` as dicts; `hits` (one flag a row) readable in it as table `hits`, column `hit`."""
        cur = self._cursor()
        try:
            if hits is not None:
                cur.register("hits", pa.table({"hit": hits}))
            result = cur.execute(sql, args or [])
            names = [d[0] for d in result.description]
            return [dict(zip(names, row)) for row in result.fetchall()]
        finally:
            cur.close()

    def _keys(self, f: Filters, clause: str, args: list[Any]) -> tuple[list[int], int]:
        """The page's row numbers and the count of all matching rows: a top-N and a count, which
        need no window over every row (18 ms against 126 ms for a sort by score over 1M rows);
        with a search, over the rows beside their search flags."""
        order = f'"{f.sort}" {"DESC" if f.desc else "ASC"} NULLS LAST, n'
        words = WORD.findall(f.q.lower())
        hits = self.hits(words) if words else None
        source = "rows POSITIONAL JOIN hits" if words else "rows"
        if words:
            clause = " WHERE hit" + (" AND " + clause.removeprefix(" WHERE ") if clause else "")
        keys = self._all(f"SELECT n FROM {source}{clause} ORDER BY {order} LIMIT ? OFFSET ?",
                         args + [f.limit, f.offset], hits)
        return [k["n"] for k in keys], self._all(f"SELECT count(*) AS c FROM {source}{clause}", args, hits)[0]["c"]

    def page(self, f: Filters) -> dict[str, Any]:
        """One page of rows: the filters and the sort read narrow columns (and the word index);
        only the page's rows then have their texts read."""
        clause, args = where(f)
        keys, total = self._keys(f, clause, args)
        if not keys:
            return {"total": total, "offset": f.offset, "rows": []}
        cols = ", ".join([*LISTED, *(f'"{s}"' for s in self.scores)]
                         + [f"left({t}, {PREVIEW}) AS {t}" for t in ("instruction", "input", "output")])
        found = {r["n"]: r for r in self._all(f"SELECT {cols} FROM rows WHERE n IN (SELECT unnest(?::BIGINT[]))",
                                              [keys])}
        return {"total": total, "offset": f.offset, "rows": [found[n] for n in keys]}

    def facets(self) -> dict[str, Any]:
        """What each filter can be set to, with counts; the score columns' ranges."""
        def counts(expr: str, limit: int = 60) -> list[list[Any]]:
            sql = (f"SELECT {expr} AS v, count(*) AS c FROM rows WHERE {expr} IS NOT NULL "
                   f"GROUP BY 1 ORDER BY 2 DESC LIMIT {limit}")
            return [[r["v"], r["c"]] for r in self._all(sql)]

        ranges = self._all("SELECT " + ", ".join(f'min("{s}") AS "min_{s}", max("{s}") AS "max_{s}"'
                                                 for s in self.scores) + " FROM rows")[0] if self.scores else {}
        return {"status": counts("status"), "selected": counts("selected"), "tier": counts("removed_by"),
                "reason": counts("nullif(reason_kind, '')"), "cluster": counts("cluster", 200),
                "flag": [[r["v"], r["c"]] for r in self._all(
                    "SELECT f AS v, count(*) AS c FROM (SELECT unnest(flags) AS f FROM rows) "
                    "GROUP BY 1 ORDER BY 2 DESC")],
                "source": counts("nullif(source, '')"),
                "scores": {s: [ranges[f"min_{s}"], ranges[f"max_{s}"]] for s in self.scores}}

    def rows_where(self, condition: str, args: list[Any], limit: int = 50) -> tuple[list[list[Any]], list[dict]]:
        """Rows meeting `condition` (SQL the code writes, values bound): every row as [id,
        occurrence], which a decision names, and the first rows to show."""
        rows = self._all(f"SELECT {SHOWN_COLUMNS} FROM rows WHERE {condition} ORDER BY n LIMIT ?", [*args, limit])
        members = self._all(f"SELECT id, occurrence FROM rows WHERE {condition} ORDER BY n", args)
        return [[m["id"], m["occurrence"]] for m in members], rows

    def groups_of(self, input_row: int) -> list[dict[str, Any]]:
        """The groups curate kept that hold input row `input_row`: number, kind, what they share."""
        return self._all("SELECT DISTINCT g, kind, about FROM groups WHERE input_row = ? ORDER BY g", [input_row])

    def at_input_rows(self, input_rows: list[int]) -> dict[int, dict[str, Any]]:
        """Rows by their input row, as the table lists them."""
        found = self._all(f"SELECT {SHOWN_COLUMNS} FROM rows WHERE input_row IN (SELECT unnest(?::BIGINT[]))",
                          [input_rows])
        return {r["input_row"]: r for r in found}

    def row(self, n: int) -> dict[str, Any] | None:
        """Row `n` (its place in the store) whole."""
        found = self._all("SELECT * EXCLUDE (reason_kind, haystack) FROM rows WHERE n = ?", [n])
        return found[0] if found else None

    def locate(self, ids: list[str]) -> dict[str, list[tuple[int, str]]]:
        """Each id's rows (number and status, in order): exact copies share an id."""
        found = self._all("SELECT id, n, status FROM rows WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY n", [ids])
        out: dict[str, list[tuple[int, str]]] = {}
        for r in found:
            out.setdefault(r["id"], []).append((r["n"], r["status"]))
        return out

    def row_by_id(self, row_id: str) -> dict[str, Any] | None:
        """A row by content id; exact copies share one, so the kept one first."""
        found = self._all("SELECT * EXCLUDE (reason_kind, haystack) FROM rows WHERE id = ? "
                          "ORDER BY status = 'kept' DESC, n LIMIT 1", [row_id])
        return found[0] if found else None

"""The view's store: curate's kept and removed rows (and selection.jsonl when there is one) in
one DuckDB table, built once per set of input files and cached. DuckDB reads the JSON Lines
itself and scans a column on every core, so a filter over 1M rows needs no index of ours."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from seedling.errors import DataError

# The first of these meta keys a row has is its source column (curate's removals per source use the same)
SOURCE_KEYS = ("source", "dataset", "task", "category", "subset")
NOT_SCORES = {"cluster", "rank"}
TEXT = ("instruction", "input", "output")
SAMPLE_LINES = 2000
LAYOUT = 6  # raise it when the table changes, so stores cached by an older version are rebuilt
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a column name that is safe to spell in SQL


def key(files: list[Path]) -> str:
    """Names the cache: the store's layout version, the files' paths, sizes and modification times."""
    parts = [f"layout {LAYOUT}"]
    parts += [f"{p.resolve()}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files if p.exists()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def score_columns(files: list[Path]) -> list[str]:
    """Top-level numeric columns in the first lines of each file (quality, score, learned, ...)."""
    found: dict[str, None] = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            for n, line in zip(range(SAMPLE_LINES), f):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    raise DataError(path, f"line {n + 1}", f"not JSON ({e.msg})") from None
                for k, v in row.items():
                    if isinstance(v, (int, float)) and not isinstance(v, bool) and NAME.fullmatch(k) \
                            and k not in NOT_SCORES:
                        found.setdefault(k)
    return list(found)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _rows_sql(kept: Path, removed: Path, scores: list[str]) -> str:
    source = ", ".join(f"j->'meta'->>'{k}'" for k in SOURCE_KEYS)
    score_cols = "".join(f", TRY_CAST(j->>'{s}' AS DOUBLE) AS {_quote(s)}" for s in scores)
    sides = " UNION ALL ".join(f"SELECT '{status}' AS status, json AS j FROM read_ndjson_objects({_path(path)})"
                               for status, path in (("kept", kept), ("removed", removed)) if path.exists())
    return f"""
        SELECT row_number() OVER () - 1 AS n, status, j->>'id' AS id,
               {", ".join(f"coalesce(j->>'{t}', '') AS {t}" for t in TEXT)},
               coalesce(j->>'source', '') AS origin, coalesce({source}, j->>'source', '') AS source,
               CAST(j->'meta' AS VARCHAR) AS meta,
               TRY_CAST(j->>'cluster' AS INTEGER) AS cluster,
               coalesce(TRY_CAST(j->'flags' AS VARCHAR[]), []) AS flags,
               j->>'removed_by' AS removed_by, j->>'reason' AS reason, j->>'dup_of' AS dup_of,
               regexp_replace(coalesce(j->>'reason', ''), '[0-9]+([.][0-9]+)?', 'N', 'g') AS reason_kind
               {score_cols}
        FROM ({sides})"""


HAYSTACK = "lower(concat_ws(chr(10), instruction, input, output))"  # what search reads: lowered once, at build
WORD = r"[\pL\pN]+"  # a word, for the search index (view.query.WORD says the same in Python)


def _input_rows(con, positions: Path | None) -> bool:
    """Table `pos` (n, input_row) from curate's positions.npy when it lists every row: each row's
    place in curate's input, which its vector, its groups and a decision's occurrence go by."""
    lines = np.load(positions) if positions is not None and positions.exists() else None
    count = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    known = lines is not None and len(lines) == count
    con.register("lines", pd.DataFrame({"n": np.arange(len(lines) if known else 0, dtype=np.int64),
                                        "input_row": lines if known else np.zeros(0, dtype=np.int64)}))
    con.execute("CREATE TABLE pos AS SELECT n, nullif(input_row, -1) AS input_row FROM lines")
    con.unregister("lines")
    return known


def _groups(con, groups: Path | None) -> None:
    """Table `groups` (g, kind, about, input_row): curate's kept sameness, one line a member."""
    con.execute("CREATE TABLE groups (g BIGINT, kind VARCHAR, about VARCHAR, input_row BIGINT)")
    if groups is not None and groups.exists() and groups.stat().st_size:
        con.execute(f"""INSERT INTO groups SELECT g, kind, about, unnest(rows) FROM (
                        SELECT row_number() OVER () - 1 AS g, kind, about, rows
                        FROM read_json({_path(groups)}, format='newline_delimited',
                                       columns={{kind: 'VARCHAR', about: 'VARCHAR', rows: 'BIGINT[]'}}))""")
    con.execute("CREATE INDEX groups_row ON groups (input_row)")


def _selection(con, selection: Path | None) -> None:
    """Table `sel`: selection.jsonl's lines with their line number, which is the input row curate
    wrote them for (one line per input row, in input order)."""
    if selection is not None and selection.exists():
        con.execute(f"""CREATE TABLE sel AS SELECT row_number() OVER () - 1 AS sel_row, id AS sel_id, selected,
                        score AS sel_score, rank AS sel_rank, reason AS sel_reason,
                        CAST(to_json(parts) AS VARCHAR) AS sel_parts, nearest_chosen, nearest_cosine
                        FROM read_json({_path(selection)}, format='newline_delimited')""")
    else:
        con.execute("CREATE TABLE sel AS SELECT NULL::BIGINT AS sel_row, NULL::VARCHAR AS sel_id, "
                    "NULL::BOOLEAN AS selected, NULL::DOUBLE AS sel_score, NULL::INTEGER AS sel_rank, "
                    "NULL::VARCHAR AS sel_reason, NULL::VARCHAR AS sel_parts, NULL::VARCHAR AS nearest_chosen, "
                    "NULL::DOUBLE AS nearest_cosine WHERE false")


def _by_input_row(con, known: bool) -> bool:
    """Whether selection lines can be joined by input row: curate wrote one per input row and each
    line names the id of the row at its place. Otherwise (a file from elsewhere) they join by id."""
    if not known:
        return False
    lines = con.execute("SELECT count(*) FROM sel").fetchall()[0][0]
    if lines == 0 or lines != con.execute("SELECT count(*) FROM pos").fetchall()[0][0]:
        return False
    return con.execute("""SELECT count(*) FROM raw JOIN pos ON raw.n = pos.n JOIN sel ON sel.sel_row = pos.input_row
                          WHERE sel.sel_id IS DISTINCT FROM raw.id""").fetchall()[0][0] == 0


def _selection_join(con, known: bool) -> str:
    if _by_input_row(con, known):
        return "LEFT JOIN sel ON sel.sel_row = pos.input_row"
    # exact copies share an id: a kept row reads the chosen line of its id, a removed copy another line
    con.execute("""CREATE OR REPLACE TABLE sel AS SELECT * FROM sel
                   QUALIFY row_number() OVER (PARTITION BY sel_id, selected ORDER BY sel_rank) = 1""")
    return """LEFT JOIN sel ON raw.id = sel.sel_id
              AND sel.selected = (raw.status = 'kept' AND raw.id IN (SELECT sel_id FROM sel WHERE selected))"""


def build(db: Path, source) -> None:
    """Write the store of a view Source to `db` (a temporary name first, so a half-built store is
    never opened)."""
    kept, removed = source.kept, source.removed
    scores = score_columns([p for p in (kept, removed) if p.exists()])
    tmp = db.with_name(db.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute("SET enable_progress_bar = false")
    try:
        con.execute(f"CREATE TABLE raw AS SELECT *, {HAYSTACK} AS haystack FROM ({_rows_sql(kept, removed, scores)})")
        known = _input_rows(con, source.positions)
        _selection(con, source.selection)
        join = _selection_join(con, known)
        # a decision names one occurrence of a content id (exact copies share it), counted in input order
        occurrence = ("row_number() OVER (PARTITION BY id ORDER BY pos.input_row NULLS LAST, raw.n) - 1" if known
                      else "NULL::BIGINT")
        con.execute(f"""CREATE TABLE rows AS SELECT raw.*, pos.input_row, {occurrence} AS occurrence,
                        sel.* EXCLUDE (sel_row, sel_id)
                        FROM raw LEFT JOIN pos ON raw.n = pos.n {join} ORDER BY raw.n""")
        con.execute("DROP TABLE raw; DROP TABLE pos; DROP TABLE sel")
        _groups(con, source.groups if known else None)
        # the search index: each word with the rows holding it, sorted by word, so the rows of a
        # word prefix are one range of the table (DuckDB skips the blocks outside it)
        con.execute(f"CREATE TABLE postings AS SELECT word, n FROM (SELECT DISTINCT unnest(regexp_extract_all("
                    f"haystack, '{WORD}')) AS word, n FROM rows) ORDER BY word, n")
        selected = ["sel_score"] if source.selection is not None and source.selection.exists() else []
        con.execute("CREATE TABLE score_columns AS SELECT unnest(?::VARCHAR[]) AS name", [scores + selected])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(db)


def store_path(source) -> Path:
    """Where the store for a view Source is cached."""
    from seedling.models import cache_dir

    files = [source.kept, source.removed, source.selection, source.positions, source.groups]
    return cache_dir() / "view" / "stores" / f"{key(files)}.duckdb"


def open_store(source) -> Path:
    """The store for a view Source, built now unless the cache holds one for these exact files."""
    db = store_path(source)
    if not db.exists():
        build(db, source)
    return db

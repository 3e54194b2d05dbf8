"""Any bytes in any supported container give records or one clear line naming the file (and
where the place is known, the line or row); never a traceback, never a partial output."""

import gzip
import json
import io
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedling import save
from seedling.errors import DataError
from seedling.formats import Source

FIELDS = ["instruction", "input", "output", "response", "context", "prompt", "completion", "messages",
          "conversations", "instances", "role", "content", "from", "value", "meta", "source", "id", "data", "text",
          "completions", "answers", "chosen", "rejected", "inputs", "targets", "system_prompt", "question",
          "message_id", "parent_id", "message_tree_id", "replies", "rank", "deleted", "mapping", "current_node",
          "parent", "message", "author", "parts", "content_type", "recipient", "chat_messages", "sender"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["user", "assistant", "system", "human", "gpt", "prompter", "text", "all", "<|endoftext|>",
                       "a</s>", "",
                       "\n\nHuman: hi\n\nAssistant: yo", "Human: a\n\nAssistant:"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4),
    max_leaves=12,
)
rows = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=5)
# FUZZ_N=2000 for a longer hunt than the suite's few seconds.
SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_N", 60)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def read_or_refuse(path) -> None:
    """Read `path` and convert it; a refusal must be one line naming the file, with nothing written."""
    out = path.parent / "out.jsonl"
    out.unlink(missing_ok=True)
    try:
        n = save(Source(path), out)
    except DataError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(str(path)), message
        assert not out.exists()
        return
    assert n > 0 and out.exists()


@SETTINGS
@given(data=st.binary(max_size=300),
       name=st.sampled_from(["f.jsonl", "f.json", "f.csv", "f.tsv", "f.parquet", "f.arrow"]))
def test_any_bytes(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    read_or_refuse(path)


@SETTINGS
@given(data=st.binary(max_size=300),
       prefix=st.sampled_from([b"PAR1", b"ARROW1", b"\xff\xff\xff\xff", b"\x1f\x8b", b"{", b"[", b"\xef\xbb\xbf{",
                               b"\xff\xfe", b"\xfe\xff", b"\xff\xfe{\x00", b"PK\x03\x04",
                               b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x28\xb5\x2f\xfd", b"\xfd7zXZ\x00",
                               b"BZh91AY&SY"]))
def test_bytes_that_start_like_a_known_container(tmp_path, data, prefix):
    path = tmp_path / "f.data"
    path.write_bytes(prefix + data)
    read_or_refuse(path)


@SETTINGS
@given(table=st.lists(rows, max_size=4), shape=st.sampled_from(["jsonl", "array", "document", "gz"]))
def test_any_json_rows(tmp_path, table, shape):
    if shape == "array":
        path, text = tmp_path / "f.json", json.dumps(table, indent=1)
    elif shape == "document":
        path, text = tmp_path / "f.json", json.dumps({"Meta_Info": {"n": len(table)}, "data": table}, indent=2)
    else:
        path, text = tmp_path / "f.jsonl", "".join(json.dumps(r) + "\n" for r in table)
    if shape == "gz":
        path = tmp_path / "f.jsonl.gz"
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    read_or_refuse(path)


@SETTINGS
@given(header=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True),
       cells=st.lists(st.lists(st.text(max_size=6), max_size=5), max_size=4))
def test_any_csv_table(tmp_path, header, cells):
    path = tmp_path / "f.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *cells]) + "\n", encoding="utf-8")
    read_or_refuse(path)


cells = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False) \
    | st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=8) | st.sampled_from(FIELDS)


@SETTINGS
@given(table=st.lists(st.lists(cells, max_size=5), max_size=5), cut=st.integers(0, 4000),
       damage=st.binary(min_size=0, max_size=8))
def test_any_workbook_whole_or_damaged(tmp_path, table, cut, damage):
    import openpyxl

    book = openpyxl.Workbook()
    for row in table:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    whole = buffer.getvalue()
    for i, data in enumerate([whole, whole[:cut] + damage + whole[cut + len(damage):]]):
        path = tmp_path / f"f{i}.xlsx"
        path.write_bytes(data)
        read_or_refuse(path)

"""Bad input: each case is a clear error naming file, place and problem, and nothing is written."""

import gzip
import json

import pytest

from seedling import DataError, Record, load, save
from seedling.formats import Source
from seedling.formats.containers import MAX_ROW_BYTES

GOOD = {"instruction": "Say hi.", "input": "", "output": "Hi!"}


def write_lines(path, *lines: bytes):
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def good_line(i=0) -> bytes:
    return json.dumps({**GOOD, "output": f"Hi {i}!"}).encode()


def assert_fails_and_writes_nothing(src, dst, *expected):
    with pytest.raises(DataError) as err:
        save(Source(src), dst)
    for part in expected:
        assert part in str(err.value)
    assert not dst.exists()
    assert [p.name for p in dst.parent.iterdir() if p.name.startswith(".")] == []
    return err.value


@pytest.mark.parametrize(
    "bad_line, problem",
    [
        (b'{"instruction": "Say hi.", "output": ', "invalid JSON: Expecting value"),
        (b'{"instruction": "Say hi."}', "missing field 'output'"),
        (b'{"instruction": "   ", "output": "x"}', "field 'instruction' is empty"),
        (b'{"instruction": "x", "output": 42}', "field 'output' must be a string, got int"),
        (b'["instruction", "output"]', "expected a JSON object, got list"),
        (b'{"instruction": "caf\xe9", "output": "x"}', "is not valid UTF-8 (byte 0xe9"),
    ],
)
def test_bad_line_names_file_and_line_and_nothing_is_written(tmp_path, bad_line, problem):
    src = write_lines(tmp_path / "in.jsonl", good_line(1), good_line(2), bad_line, good_line(4))
    err = assert_fails_and_writes_nothing(src, tmp_path / "out" / "o.jsonl", problem)
    assert str(err).startswith(f"{src}: line 3: ")


def test_empty_file(tmp_path):
    src = tmp_path / "empty.jsonl"
    src.write_bytes(b"")
    assert_fails_and_writes_nothing(src, tmp_path / "o.jsonl", "is empty")


def test_file_of_blank_lines_and_empty_array(tmp_path):
    (tmp_path / "blank.jsonl").write_text("\n\n\n")
    with pytest.raises(DataError, match="is empty"):
        load(tmp_path / "blank.jsonl")
    (tmp_path / "empty.json").write_text("[ ]")
    with pytest.raises(DataError, match="holds no records"):
        load(tmp_path / "empty.json")


def test_fifty_megabyte_line_is_an_error_or_a_counted_skip(tmp_path):
    huge = json.dumps({**GOOD, "output": "x" * (50 * 2**20)}).encode()
    src = write_lines(tmp_path / "huge.jsonl", good_line(1), huge, good_line(3))
    assert_fails_and_writes_nothing(src, tmp_path / "o.jsonl", "line 2", "MiB limit")

    source = Source(src, skip_invalid=True)
    assert [r.output for r in source] == ["Hi 1!", "Hi 3!"]
    assert len(source.skipped) == 1 and "line 2" in str(source.skipped[0])
    assert MAX_ROW_BYTES < len(huge)


def test_skip_invalid_keeps_good_rows_and_lists_bad_ones(tmp_path):
    src = write_lines(tmp_path / "in.jsonl", good_line(1), b"{oops", b'{"instruction": "x"}', good_line(4))
    loaded = load(src, skip_invalid=True)
    assert [r.output for r in loaded.records] == ["Hi 1!", "Hi 4!"]
    assert [e.where for e in loaded.skipped] == ["line 2", "line 3"]


def test_all_rows_invalid_is_an_error_even_when_skipping(tmp_path):
    src = write_lines(tmp_path / "in.jsonl", b"{oops", b"{nope")
    with pytest.raises(DataError, match="all 2 rows were invalid"):
        load(src, skip_invalid=True)


def test_json_array_errors_name_the_line(tmp_path):
    src = tmp_path / "a.json"
    src.write_text('[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "c", "output": ""}\n]\n')
    with pytest.raises(DataError, match=r"a.json: item 2 \(line 3\): field 'output' is empty"):
        load(src)
    src.write_text('[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "c" "output": "d"}\n]\n')
    with pytest.raises(DataError, match=r"a.json: line 3: invalid JSON"):
        load(src)
    src.write_bytes(b'[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "\xff", "output": "d"}\n]\n')
    with pytest.raises(DataError, match=r"a.json: line 3: is not valid UTF-8"):
        load(src)


def test_unknown_fields_and_unknown_files(tmp_path):
    src = write_lines(tmp_path / "q.jsonl", b'{"query_text": "a", "label": "b"}')
    with pytest.raises(DataError, match=r"line 1: fields \['label', 'query_text'\] match no known format") as raised:
        load(src)
    assert "a file of prompts" not in str(raised.value)  # two text fields: which is the prompt is not guessed
    prompts = write_lines(tmp_path / "p.jsonl", b'{"id": 7, "utterance": "How do I reset my router?"}')
    with pytest.raises(DataError, match=r"; a file of prompts: --map instruction=utterance$"):
        load(prompts)
    assert load(prompts, mapping={"instruction": "utterance"}).records[0].instruction == "How do I reset my router?"
    (tmp_path / "x.bin").write_bytes(b"\x00\x01binary")
    with pytest.raises(DataError, match="cannot tell its format"):
        load(tmp_path / "x.bin")
    with pytest.raises(DataError, match="no such file"):
        load(tmp_path / "missing.jsonl")
    with pytest.raises(DataError, match="unknown format 'alpacca'"):
        load(src, "alpacca")


def test_damaged_parquet_and_csv(tmp_path):
    save([Record("a", "b")], tmp_path / "ok.parquet")
    data = (tmp_path / "ok.parquet").read_bytes()
    (tmp_path / "bad.parquet").write_bytes(data[:4] + b"\x00" * 16 + data[-8:])
    with pytest.raises(DataError, match="not a readable Parquet file"):
        load(tmp_path / "bad.parquet")
    (tmp_path / "bad.csv").write_text("instruction,output\na,b,c\n")
    with pytest.raises(DataError, match=r"row 1 \(line 2\): has more fields than the header"):
        load(tmp_path / "bad.csv")


def test_crash_mid_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    def rows_then_crash():
        yield Record("a", "b")
        yield Record("c", "d")
        raise RuntimeError("killed")

    for name in ("o.jsonl", "o.json", "o.parquet"):
        dst = tmp_path / name
        with pytest.raises(RuntimeError):
            save(rows_then_crash(), dst)
        assert not dst.exists()
        save([Record("old", "row")], dst)
        with pytest.raises(RuntimeError):
            save(rows_then_crash(), dst)
        assert [r.instruction for r in load(dst).records] == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.json", "o.jsonl", "o.parquet"]


def test_output_needs_a_known_extension(tmp_path):
    with pytest.raises(DataError, match="name it .jsonl, .json, .parquet, .arrow, .csv, .tsv or .xlsx"):
        save([Record("a", "b")], tmp_path / "out.txt")
    with pytest.raises(DataError, match="unknown output format 'vicuna'"):
        save([Record("a", "b")], tmp_path / "out.jsonl", format="vicuna")


def test_the_last_suffix_names_the_output_container(tmp_path):
    save([Record("a", "b")], tmp_path / "rows.parquet.jsonl")  # a name that kept its source's suffix
    assert (tmp_path / "rows.parquet.jsonl").read_text().startswith('{"id"')
    save([Record("a", "b")], tmp_path / "rows.csv.jsonl.gz")
    assert gzip.open(tmp_path / "rows.csv.jsonl.gz", "rt").read().startswith('{"id"')


def test_a_csv_row_over_several_lines_is_named_by_its_first_and_last(tmp_path):
    (tmp_path / "bad.csv").write_text('instruction,output\na,b\n"two\nlines",b,c\n')
    with pytest.raises(DataError, match=r"row 2 \(lines 3-4\): has more fields than the header"):
        load(tmp_path / "bad.csv")


def test_a_spreadsheets_windows_csv_is_named_at_its_line_with_how_to_save_it(tmp_path):
    rows = ["instruction,output", *(f"q{i},a{i}" for i in range(3000)), '"What\x92s a caf\xe9?",x']
    src = tmp_path / "excel.csv"
    src.write_bytes("\r\n".join(rows).encode("latin-1"))  # text is decoded ahead: the error shows lines early
    err = assert_fails_and_writes_nothing(src, tmp_path / "o.jsonl", "is not valid UTF-8")
    assert str(err).startswith(f"{src}: line 3002: is not valid UTF-8 (byte 0x92") and "CSV UTF-8" in str(err)


@pytest.mark.parametrize("name", ["ps.jsonl", "ps.json", "excel.tsv", "ps.jsonl.gz"])
def test_utf16_with_a_byte_order_mark_reads_as_its_text(tmp_path, name):
    rows = [{"instruction": "Café — what?", "output": "A “coffee” house 😀"}, {"instruction": "Hi", "output": "Hello"}]
    if name.endswith(".tsv"):
        text = "instruction\toutput\r\n" + "".join(f"{r['instruction']}\t{r['output']}\r\n" for r in rows)
    elif name.endswith(".json"):
        text = json.dumps(rows, ensure_ascii=False)
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows)
    raw = text.encode("utf-16")  # with its byte-order mark, as PowerShell and Excel write it
    (tmp_path / name).write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    assert [(r.instruction, r.output) for r in load(tmp_path / name).records] == [
        (r["instruction"], r["output"]) for r in rows]
    (tmp_path / "odd.jsonl").write_bytes(raw[:-1])
    assert_fails_and_writes_nothing(tmp_path / "odd.jsonl", tmp_path / "o.jsonl", "is not valid UTF-16")

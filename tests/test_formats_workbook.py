"""Excel workbooks read as people make them: typed cells as the text Excel shows, a title row
above the table, several sheets, and every other archive or damage refused in one line."""

import datetime
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedling import Record, load, save
from seedling.errors import DataError
from seedling.formats import Source
from seedling.formats.markers import strip_end_markers



def workbook(path, sheets: dict[str, list[list]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_cells_read_as_the_text_excel_shows(tmp_path):
    path = tmp_path / "export"  # no extension: found by its content
    workbook(path, {"Tasks": [
        ["Instruction", "Response", "Score", "Reviewed", "Due", "Ratio"],
        ["Add 2 and 3.", 5.0, 3.0, True, datetime.datetime(2024, 5, 1), 0.25],
        ["Name a colour.", "Red", 4, False, datetime.datetime(2024, 5, 1, 9, 30), None],
    ]})
    loaded = load(path)
    assert loaded.container == "xlsx" and loaded.format == "dolly"
    first, second = loaded.records
    assert (first.instruction, first.output) == ("Add 2 and 3.", "5")
    assert first.meta == {"score": "3", "reviewed": "TRUE", "due": "2024-05-01", "ratio": "0.25"}
    assert second.meta["due"] == "2024-05-01T09:30:00" and second.meta["reviewed"] == "FALSE"


def test_the_first_sheet_with_a_table_is_read_saying_so_and_split_names_another(tmp_path):
    path = tmp_path / "seeds.xlsx"
    workbook(path, {"Cover": [[], [None, None]],
                    "Train": [["prompt", "completion"], ["Hi", "Hello"]],
                    "Test": [["prompt", "completion"], ["Bye", "Goodbye"], ["Yes", "No"]]})
    source = Source(path)
    assert [r.output for r in source] == ["Hello"]
    assert any("read sheet 'Train' of a workbook that also holds 'Cover', 'Test'" in n for n in source.notes)
    assert [r.output for r in load(path, split="Test").records] == ["Goodbye", "No"]
    assert len(load(path, split="all").records) == 3
    with pytest.raises(DataError, match=r"seeds.xlsx: holds sheets \['Cover', 'Train', 'Test'\]; name one with"):
        load(path, split="Dev")


def test_a_title_above_the_table_is_passed_over_and_a_stray_cell_named(tmp_path):
    path = tmp_path / "titled.xlsx"
    workbook(path, {"Sheet": [["Seed tasks for the support bot"], [], ["Question", "Answer"],
                              ["Reset my password?", "Use the link on the sign-in page."],
                              ["Close my account?", "Write to support.", None, "ask legal"]]})
    with pytest.raises(DataError, match=r"titled.xlsx: row 5: has a value in column D, which has no header"):
        load(path)
    source = Source(path, skip_invalid=True)
    assert [r.instruction for r in source] == ["Reset my password?"]
    assert any("passed over 'Seed tasks for the support bot' above the table: row 3 is its header" in n
               for n in source.notes)


def test_a_one_column_sheet_of_prompts_keeps_its_header(tmp_path):
    path = tmp_path / "prompts.xlsx"
    workbook(path, {"Sheet": [["Prompt"], ["Write a haiku."], ["Summarise the news."]]})
    assert [r.instruction for r in load(path).records] == ["Write a haiku.", "Summarise the news."]


def test_a_formula_reads_as_its_computed_value_and_one_never_computed_is_named(tmp_path):
    """A program (openpyxl, pandas) writes formulas without a value; Excel writes both."""
    path = tmp_path / "tasks.xlsx"
    workbook(path, {"done": [["instruction", "output"], ["Add 1 and 1.", "=1+1"]],
                    "fresh": [["instruction", "output"], ["Say hi.", "hi"], ['=CONCAT("Write ", "a poem.")', "ok"]]})
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    computed = next(n for n, xml in parts.items() if b"<f>1+1</f>" in xml)
    parts[computed] = parts[computed].replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")  # as Excel saves it
    with zipfile.ZipFile(path, "w") as z:
        for n, xml in parts.items():
            z.writestr(n, xml)
    assert load(path, split="done").records[0].output == "2"
    with pytest.raises(DataError) as err:
        load(path, split="fresh")
    assert "sheet 'fresh' row 3 column A" in str(err.value) and "'=CONCAT(" in str(err.value)
    assert "open and save the workbook" in str(err.value)


def test_other_archives_and_damage_refused_in_one_line(tmp_path):
    good = tmp_path / "good.xlsx"
    workbook(good, {"Sheet": [["prompt", "completion"], ["Hi", "Hello"]]})
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(good.read_bytes()[:-200])
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    ods, other = tmp_path / "sheet.ods", tmp_path / "bundle.zip"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("data.jsonl", "{}")
    for path, problem in [(damaged, "is not a readable"), (old, "is an Excel 97-2003 workbook"),
                          (ods, "is an OpenDocument spreadsheet"), (other, "is a zip archive, not a data file")]:
        with pytest.raises(DataError) as raised:
            load(path)
        message = str(raised.value)
        assert message.startswith(f"{path}: {problem}") and "\n" not in message, message


def test_a_sheet_damaged_inside_its_compressed_data_is_named(tmp_path):
    """The workbook opens; its sheet's data fails to inflate only once it is read."""
    path = tmp_path / "tasks.xlsx"
    workbook(path, {"Sheet": [["instruction", "output"], *([f"Task {i} about things", f"answer {i} " * 5]
                                                         for i in range(2000))]})
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(next(n for n in z.namelist() if n.startswith("xl/worksheets/")))
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 2000
    data[start:start + 100] = bytes(b ^ 0x5A for b in data[start:start + 100])
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"tasks.xlsx: sheet 'Sheet': is not a readable Excel sheet"):
        load(path)


pieces = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(["_x000D_", "_x", "\r\n"])
cell_texts = st.lists(pieces, min_size=1, max_size=20).map("".join).filter(str.strip)
records = st.builds(
    Record, instruction=cell_texts, output=cell_texts.filter(lambda t: not strip_end_markers(t)[1]),
    input=st.one_of(st.just(""), cell_texts), source=st.sampled_from(["seed", "imported:alpaca"]),
    meta=st.dictionaries(st.sampled_from(["round", "tags"]), st.one_of(st.integers(), cell_texts,
                                                                       st.lists(cell_texts, max_size=2)), max_size=2),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(records, min_size=1, max_size=4), fmt=st.sampled_from(["contract", "alpaca", "messages"]))
def test_records_round_trip_through_a_workbook(tmp_path, rows, fmt):
    """The contract comes back whole; another format as it comes back from JSON Lines."""
    save(rows, tmp_path / "r.xlsx", format=fmt)
    save(rows, tmp_path / "r.jsonl", format=fmt)
    assert load(tmp_path / "r.xlsx").records == load(tmp_path / "r.jsonl").records
    if fmt == "contract":
        assert load(tmp_path / "r.xlsx").records == rows


def test_text_stays_text_and_a_text_longer_than_a_cell_stops_the_write(tmp_path):
    formula = Record(instruction="Write an Excel formula for a sum.", output='=HYPERLINK("http://x.test","y")')
    save([formula], tmp_path / "f.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    assert sheet["C2"].data_type != "f" and load(tmp_path / "f.xlsx").records == [formula]
    target = tmp_path / "long.xlsx"
    with pytest.raises(DataError, match=r"long.xlsx: record 2: field 'output' holds 40,000 characters, more than an "
                                        r"Excel cell's 32,767: write .jsonl"):
        save([formula, Record(instruction="Long.", output="x" * 40_000)], target)
    assert not target.exists()


def test_control_characters_as_excel_escapes_them(tmp_path):
    """Excel writes a carriage return or a control character as _xHHHH_ (XML would drop or
    change it) and a literal _xHHHH_ with its underscore escaped; both read back as written."""
    path = tmp_path / "excel.xlsx"
    workbook(path, {"Sheet": [["prompt", "completion"], ["Line one_x000D_\nline two", "_x005F_x0041_ is literal"]]})
    (row,) = load(path).records
    assert (row.instruction, row.output) == ("Line one\r\nline two", "_x0041_ is literal")

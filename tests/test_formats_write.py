"""Writing every format it reads: CSV/TSV, ShareGPT, `.gz`; round trips, and what a format
cannot hold said rather than dropped silently."""

import csv
import gzip
import json

import pytest

from seedling import Record, load, save
from seedling.errors import DataError
from tests.helpers.paths import GOLDEN, SEED_TASKS


def contract_records():
    return load(GOLDEN / "contract.jsonl").records[:1] + load(SEED_TASKS).records[:10]


@pytest.mark.parametrize("name", ["out.csv", "out.tsv", "out.jsonl.gz", "out.json.gz", "out.csv.gz", "out.tsv.gz"])
def test_contract_round_trips_through_every_container(tmp_path, name):
    records = contract_records()
    records.append(Record("Tab\tand\nnewline, \"quoted\"", "ok", "x,y\r", "seed", {"k": [1, "two"]}))
    records.append(Record("42", "true", "", "seed", {}, {"dup_of": "1234567890123456", "quality": 0.8, "note": "",
                                                         "flags": ["short"], "text": "null", "ok": True}))
    save(records, tmp_path / name)
    again = load(tmp_path / name)
    assert again.format == "contract" and again.records == records


def test_gz_output_is_compressed(tmp_path):
    save(contract_records(), tmp_path / "out.jsonl.gz")
    raw = (tmp_path / "out.jsonl.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert json.loads(gzip.decompress(raw).splitlines()[0])["instruction"]
    for name, kind in (("out.parquet.gz", "Parquet"), ("out.feather.gz", "Arrow")):
        with pytest.raises(DataError, match=f"{kind} compresses itself"):
            save(contract_records(), tmp_path / name)


def test_csv_is_readable_by_other_tools_with_a_column_per_field(tmp_path):
    save(contract_records(), tmp_path / "out.csv", format="alpaca")
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["instruction", "input", "output"] and len(rows) == 11


def test_sharegpt_is_written_and_reads_back_as_the_same_conversation(tmp_path):
    records = load(GOLDEN / "sharegpt.json").records
    save(records, tmp_path / "sg.json", format="sharegpt")
    rows = json.loads((tmp_path / "sg.json").read_text())
    assert rows[0]["conversations"][0] == {"from": "system", "value": "You are a concise assistant."}
    assert [t["from"] for t in rows[1]["conversations"]] == ["human", "gpt", "human", "gpt"]
    again = load(tmp_path / "sg.json")
    assert again.format == "sharegpt"
    assert [(r.instruction, r.output, r.meta) for r in again.records] == [
        (r.instruction, r.output, {k: v for k, v in r.meta.items() if k in ("system", "extra_turns")})
        for r in records
    ]


def test_chats_round_trip_losslessly_through_messages_and_sharegpt(tmp_path):
    records = [r for r in load(GOLDEN / "messages.jsonl").records]
    chat_only = [Record(r.instruction, r.output, "", r.source, {k: v for k, v in r.meta.items()
                                                                 if k in ("system", "extra_turns")})
                 for r in records]
    for fmt, ext in (("messages", "jsonl"), ("sharegpt", "json"), ("messages", "csv"), ("sharegpt", "parquet")):
        save(chat_only, tmp_path / f"{fmt}.{ext}", format=fmt)
        again = load(tmp_path / f"{fmt}.{ext}").records
        assert [(r.instruction, r.output, r.meta) for r in again] == [(r.instruction, r.output, r.meta)
                                                                      for r in chat_only]


def test_alpaca_says_it_drops_the_system_prompt(tmp_path):
    records = load(GOLDEN / "sharegpt.json").records
    assert any(r.meta.get("system") for r in records)
    notes = []
    save(records, tmp_path / "a.json", format="alpaca", notes=notes)
    (note,) = notes
    assert "alpaca rows cannot hold system prompt (1 rows)" in note and "later turns (1 rows)" in note
    notes = []
    save(records, tmp_path / "c.jsonl", notes=notes)
    assert notes == []


def test_chat_formats_say_they_join_the_input(tmp_path):
    notes = []
    save([Record("Translate.", "Bonjour.", "Hello.")], tmp_path / "m.jsonl", format="sharegpt", notes=notes)
    assert notes and "input (joined to the instruction) (1 rows)" in notes[0]


@pytest.mark.parametrize("fmt", ["alpaca", "dolly"])
def test_three_text_formats_round_trip_with_their_ids(tmp_path, fmt):
    records = load(SEED_TASKS).records[:15]
    save(records, tmp_path / "x.jsonl", format=fmt)
    again = load(tmp_path / "x.jsonl")
    assert again.format == fmt and [r.id for r in again.records] == [r.id for r in records]


def test_dolly_keeps_its_category_and_prompt_completion_its_texts(tmp_path):
    dolly = load(GOLDEN / "dolly.jsonl").records
    save(dolly, tmp_path / "d.parquet", format="dolly")
    assert [r.meta.get("category") for r in load(tmp_path / "d.parquet").records] == [r.meta.get("category")
                                                                                       for r in dolly]
    plain = [Record("Add 2 and 3.", "5"), Record("Name a fruit.", "A mango.")]
    save(plain, tmp_path / "pc.jsonl", format="prompt_completion")
    again = load(tmp_path / "pc.jsonl")
    assert again.format == "prompt_completion" and [(r.instruction, r.output) for r in again.records] == [
        (r.instruction, r.output) for r in plain]


def test_a_csv_prompt_that_looks_like_a_list_stays_text(tmp_path):
    path = tmp_path / "pc.csv"
    path.write_text('prompt,completion\n"[3, 1, 2]",sorted: 1 2 3\n')
    (r,) = load(path).records
    assert (r.instruction, r.output) == ("[3, 1, 2]", "sorted: 1 2 3")

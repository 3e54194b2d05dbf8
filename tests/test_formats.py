"""Every importer against a golden file, and every writer round-tripped through the contract."""

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedling import Record, load, save
from seedling.errors import DataError
from seedling.formats import Source
from seedling.formats.markers import strip_end_markers
from tests.helpers.paths import GOLDEN, SEED_TASKS

GOLDEN_INPUTS = {
    "alpaca.json": ("json", "alpaca"),
    "alpaca.csv": ("csv", "alpaca"),
    "alpaca.tsv": ("tsv", "alpaca"),
    "dolly.jsonl": ("jsonl", "dolly"),
    "self_instruct.jsonl": ("jsonl", "self_instruct"),
    "sharegpt.json": ("json", "sharegpt"),
    "messages.jsonl": ("jsonl", "messages"),
    "prompt_completion.jsonl": ("jsonl", "prompt_completion"),
    "contract.jsonl": ("jsonl", "contract"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_INPUTS))
def test_importer_matches_golden(name):
    """Regenerate with SEEDLING_REGEN_GOLDEN=1 after a deliberate change, then read the diff."""
    loaded = load(GOLDEN / name)
    assert (loaded.container, loaded.format) == GOLDEN_INPUTS[name]
    got = [r.to_dict() for r in loaded.records]
    expected_path = GOLDEN / "expected" / (name.rsplit(".", 1)[0] + "." + name.rsplit(".", 1)[1] + ".jsonl")
    if os.environ.get("SEEDLING_REGEN_GOLDEN"):
        expected_path.parent.mkdir(exist_ok=True)
        expected_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in got), encoding="utf-8")
    expected = [json.loads(line) for line in expected_path.read_text(encoding="utf-8").splitlines()]
    assert got == expected


def test_seed_tasks_read_through_the_self_instruct_importer():
    loaded = load(SEED_TASKS)
    assert loaded.format == "self_instruct"
    assert len(loaded.records) == 175
    assert {r.source for r in loaded.records} == {"seed"}
    first = loaded.records[0]
    assert first.meta["source_id"] == "seed_task_0" and first.meta["name"] == "breakfast_suggestion"
    assert len({r.id for r in loaded.records}) == 175


@pytest.mark.parametrize("filename", ["out.jsonl", "out.json", "out.parquet", "out.arrow", "out.feather"])
def test_contract_round_trips_losslessly(tmp_path, filename):
    records = load(GOLDEN / "contract.jsonl").records + load(SEED_TASKS).records[:20]
    save(records, tmp_path / filename)
    again = load(tmp_path / filename)
    assert again.format == "contract"
    assert again.records == records


def test_alpaca_round_trip_keeps_ids(tmp_path):
    records = load(SEED_TASKS).records
    save(records, tmp_path / "alpaca.json", format="alpaca")
    rows = json.loads((tmp_path / "alpaca.json").read_text())
    assert set(rows[0]) == {"instruction", "input", "output"}
    again = load(tmp_path / "alpaca.json")
    assert again.format == "alpaca"
    assert [r.id for r in again.records] == [r.id for r in records]


def test_messages_export_is_what_sft_trainers_read(tmp_path):
    records = load(GOLDEN / "sharegpt.json").records
    save(records, tmp_path / "sft.jsonl", format="messages")
    rows = [json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]
    assert rows[0]["messages"][0] == {"role": "system", "content": "You are a concise assistant."}
    assert [m["role"] for m in rows[1]["messages"]] == ["user", "assistant", "user", "assistant"]
    again = load(tmp_path / "sft.jsonl")
    assert [(r.instruction, r.output, r.meta) for r in again.records] == [
        (r.instruction, r.output, {k: v for k, v in r.meta.items() if k in ("system", "extra_turns")})
        for r in records
    ]


def test_messages_export_puts_input_in_the_user_turn(tmp_path):
    r = Record("Translate to French.", "Bonjour.", "Hello.")
    save([r], tmp_path / "m.parquet", format="messages")
    (again,) = load(tmp_path / "m.parquet").records
    assert again.instruction == "Translate to French.\n\nHello." and again.output == "Bonjour."


def _compressed(kind: str, data: bytes) -> bytes:
    import bz2
    import gzip
    import lzma

    import pyarrow as pa

    if kind == "zstd":
        return pa.Codec("zstd").compress(data, asbytes=True)
    return {"gzip": gzip.compress, "xz": lzma.compress, "bzip2": bz2.compress}[kind](data)


@pytest.mark.parametrize("kind", ["gzip", "zstd", "xz", "bzip2"])
@pytest.mark.parametrize("golden", ["dolly.jsonl", "alpaca.json", "alpaca.csv"])
def test_compressed_input_is_read_by_its_first_bytes(tmp_path, kind, golden):
    """Compression is found by the first bytes, not the name: `.zst`, `.xz`, `.bz2`, `.gz` or none."""
    inner = golden.rsplit(".", 1)[1]  # a CSV is told from text by its name
    path = tmp_path / f"rows.{inner}.{kind}"
    path.write_bytes(_compressed(kind, (GOLDEN / golden).read_bytes()))
    assert load(path).records == load(GOLDEN / golden).records
    damaged = tmp_path / f"damaged.{inner}"
    damaged.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(DataError) as raised:
        load(damaged)
    assert str(raised.value).startswith(f"{damaged}: is not a readable {kind} file") and "\n" not in str(raised.value)


def test_json_extension_holding_json_lines_is_read(tmp_path):
    # `datasets.Dataset.to_json("x.json")` writes JSON Lines under a .json name.
    path = tmp_path / "dolly.json"
    path.write_bytes((GOLDEN / "dolly.jsonl").read_bytes())
    assert load(path).container == "jsonl"


def test_datasets_directories(tmp_path):
    import datasets

    rows = [{"instruction": "Add.", "input": "2 3", "output": "5"}, {"instruction": "Sub.", "input": "", "output": "0"}]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "ds"))
    loaded = load(tmp_path / "ds")
    assert loaded.container == "datasets" and [r.output for r in loaded.records] == ["5", "0"]

    dd = datasets.DatasetDict({"train": datasets.Dataset.from_list(rows), "test": datasets.Dataset.from_list(rows[:1])})
    dd.save_to_disk(str(tmp_path / "dd"))
    assert len(load(tmp_path / "dd").records) == 2
    assert len(load(tmp_path / "dd", split="test").records) == 1


def test_arrow_files_as_datasets_caches_them_and_feather_writes_them(tmp_path):
    import datasets
    import pyarrow as pa
    import pyarrow.feather as feather

    rows = [{"instruction": "Add.", "input": "2 3", "output": "5"}, {"instruction": "Sub.", "input": "", "output": "0"}]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "ds"))
    (cache,) = (tmp_path / "ds").glob("*.arrow")  # an Arrow stream, named by content, not by extension
    feather.write_feather(pa.Table.from_pylist(rows), tmp_path / "rows.data")  # an Arrow IPC file
    for path in (cache, tmp_path / "rows.data"):
        loaded = load(path)
        assert loaded.container == "arrow" and [r.output for r in loaded.records] == ["5", "0"]
    damaged = tmp_path / "damaged.arrow"
    damaged.write_bytes(cache.read_bytes()[:-40])
    with pytest.raises(DataError, match=r"damaged.arrow: .*not a readable Arrow file"):
        load(damaged)


def test_explicit_format_overrides_detection():
    source = Source(GOLDEN / "contract.jsonl", "alpaca")
    records = list(source)
    assert records[0].source == "imported:alpaca" and "dup_of" in records[0].meta


def test_contract_recomputes_a_stale_id():
    (first, _) = load(GOLDEN / "contract.jsonl").records
    assert first.id != "0000000000000000"
    assert first.extra == {"quality": 0.8}


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip)
records = st.builds(
    Record,
    instruction=texts,
    output=texts.filter(lambda t: not strip_end_markers(t)[1]),  # readers strip end-of-text markers
    input=st.one_of(st.just(""), texts),
    source=st.sampled_from(["seed", "generated", "imported:alpaca"]),
    meta=st.dictionaries(st.sampled_from(["round", "teacher", "tags"]), st.one_of(st.integers(), texts, st.lists(texts, max_size=3)), max_size=3),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(records, min_size=1, max_size=5),
       ext=st.sampled_from(["jsonl", "json", "parquet", "arrow", "csv", "tsv", "jsonl.gz"]))
def test_any_records_round_trip(tmp_path, rows, ext):
    path = tmp_path / f"r.{ext}"
    save(rows, path)
    assert load(path).records == rows

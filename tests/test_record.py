import pytest

from seedling import DataError, Record, content_id, make_record


def test_content_id_is_stable_across_releases():
    # A changed hash would orphan every id stored in runs, manifests and dup_of columns.
    assert content_id("Reverse the word.", "seed", "dees") == "4832a714d50fc1c5"


def test_id_depends_on_the_three_texts_only():
    a = Record("Say hi.", "Hi!", "", "seed", {"round": 1})
    b = Record("Say hi.", "Hi!", "", "generated", {"round": 7}, {"quality": 0.2})
    assert a.id == b.id
    assert Record("Say hi.", "Hi!", "x").id != a.id


def test_field_boundaries_are_part_of_the_id():
    assert content_id("a", "bc", "d") != content_id("ab", "c", "d")


@pytest.mark.parametrize(
    "fields, problem",
    [
        (dict(instruction="  ", output="x"), "field 'instruction' is empty"),
        (dict(instruction="x", output=""), "field 'output' is empty"),
        (dict(instruction="x", output=5), "field 'output' must be a string, got int"),
        (dict(instruction=["x"], output="y"), "field 'instruction' must be a string, got list"),
        (dict(instruction="x", output="y", input=3.0), "field 'input' must be a string, got float"),
        (dict(instruction="x", output="y", meta=[1]), "field 'meta' must be an object, got list"),
        (dict(instruction="x", output="y", meta="{bad"), "field 'meta' is a string but not valid JSON"),
        (dict(instruction="x", output="y", source=""), "field 'source' must be a non-empty string"),
    ],
)
def test_invalid_fields_name_file_place_and_problem(fields, problem):
    with pytest.raises(DataError) as err:
        make_record(**fields, path="data.jsonl", where="line 4")
    assert str(err.value).startswith("data.jsonl: line 4: ")
    assert problem in str(err.value)


def test_missing_input_and_meta_default_to_empty():
    r = make_record(instruction="x", output="y", input=None, meta='{"a": 1}')
    assert r.input == "" and r.meta == {"a": 1}


def test_with_extra_keeps_every_other_field_as_replace_does():
    from dataclasses import fields, replace

    values = {f.name: {"v": f.name} if f.name in ("meta", "extra") else f"value of {f.name}" for f in fields(Record)}
    record = Record(**values)
    assert record.with_extra({"quality": 1}) == replace(record, extra={"quality": 1})

"""Stanford Alpaca: instruction, input (may be absent or empty), output."""

NAME = "alpaca"


def matches(keys: set[str]) -> bool:
    return {"instruction", "output"} <= keys


def convert(row):
    yield row.record(
        instruction=row.require("instruction"),
        input=row.data.get("input", ""),
        output=row.require("output"),
        source="imported:alpaca",
        meta=row.rest("instruction", "input", "output"),
    )

"""Databricks Dolly 15k: instruction, context, response, category."""

NAME = "dolly"


def matches(keys: set[str]) -> bool:
    return {"instruction", "response"} <= keys


def convert(row):
    yield row.record(
        instruction=row.require("instruction"),
        input=row.data.get("context", ""),
        output=row.require("response"),
        source="imported:dolly",
        meta=row.rest("instruction", "context", "response"),
    )

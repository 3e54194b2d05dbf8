"""seedling's own rows (id, instruction, input, output, source, meta, and added columns).

`id` is always recomputed from the content, so an edited row gets the id its text deserves.
An added column that is null for a row is absent for it: Parquet and datasets make every
column rectangular, and a round trip must not invent values. A prompt-only dataset written back out (source
`imported:prompts`) reads again with its empty outputs.
"""

from seedling.record import CONTRACT_FIELDS, PROMPTS_SOURCE

NAME = "contract"


def matches(keys: set[str]) -> bool:
    return {"instruction", "output"} <= keys and bool({"source", "meta", "id"} & keys)


def convert(row):
    source = row.data.get("source", "imported:contract")
    yield row.record(
        instruction=row.require("instruction"),
        input=row.data.get("input", ""),
        output=row.require("output"),
        source=source,
        meta=row.data.get("meta"),
        extra={k: v for k, v in row.rest(*CONTRACT_FIELDS).items() if v is not None},
        prompt_only=source == PROMPTS_SOURCE and row.data.get("output") == "",
    )

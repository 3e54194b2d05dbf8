"""Row shapes a record can be written as; the container (.jsonl, .json, .parquet) is separate."""

from __future__ import annotations

from typing import Any, Callable

from seedling.record import Record


def to_contract(r: Record) -> dict[str, Any]:
    return r.to_dict()


def to_alpaca(r: Record) -> dict[str, Any]:
    """Alpaca keeps only the three texts; ids survive because they hash exactly these."""
    return {"instruction": r.instruction, "input": r.input, "output": r.output}


def to_messages(r: Record) -> dict[str, Any]:
    """Chat `messages` for SFT: the input joins the instruction in the user turn, so reading
    this file back gives the same conversation but a different id (the split is lost)."""
    messages = []
    if r.meta.get("system"):
        messages.append({"role": "system", "content": r.meta["system"]})
    messages.append({"role": "user", "content": r.prompt})
    messages.append({"role": "assistant", "content": r.output})
    messages.extend(r.meta.get("extra_turns", []))
    return {"messages": messages}


EXPORTERS: dict[str, Callable[[Record], dict[str, Any]]] = {
    "contract": to_contract,
    "alpaca": to_alpaca,
    "messages": to_messages,
}

"""Row shapes a record can be written as; the container (.jsonl, .csv, .parquet ...) is separate.

Each shape says what it cannot hold (`LOSSES`): writing counts the rows that lose something
and says so, so a conversion never drops a system prompt without a word.
"""

from __future__ import annotations

from typing import Any, Callable

from seedling.record import Record

CHAT_KEYS = ("system", "opening_turns", "extra_turns")


def to_contract(r: Record) -> dict[str, Any]:
    return r.to_dict()


def to_alpaca(r: Record) -> dict[str, Any]:
    """Alpaca keeps only the three texts; ids survive because they hash exactly these."""
    return {"instruction": r.instruction, "input": r.input, "output": r.output}


def to_dolly(r: Record) -> dict[str, Any]:
    """Dolly's names for the three texts, and its `category` when the row has one."""
    row = {"instruction": r.instruction, "context": r.input, "response": r.output}
    if "category" in r.meta:
        row["category"] = r.meta["category"]
    return row


def to_prompt_completion(r: Record) -> dict[str, Any]:
    """TRL's plain prompt/completion: the input joins the instruction, as in a user turn."""
    return {"prompt": r.prompt, "completion": r.output}


def _turns(r: Record) -> list[dict[str, str]]:
    turns = [{"role": "system", "content": r.meta["system"]}] if r.meta.get("system") else []
    turns.extend(r.meta.get("opening_turns", []))
    turns.append({"role": "user", "content": r.prompt})
    turns.append({"role": "assistant", "content": r.output})
    turns.extend(r.meta.get("extra_turns", []))
    return turns


def to_messages(r: Record) -> dict[str, Any]:
    """Chat `messages` for SFT: the input joins the instruction in the user turn, so reading
    this file back gives the same conversation but a different id (the split is lost)."""
    return {"messages": _turns(r)}


SHAREGPT_ROLES = {"system": "system", "user": "human", "assistant": "gpt"}


def to_sharegpt(r: Record) -> dict[str, Any]:
    """ShareGPT's `conversations` of {from, value}; holds what `messages` holds."""
    return {"conversations": [{"from": SHAREGPT_ROLES.get(t["role"], t["role"]), "value": t["content"]}
                              for t in _turns(r)]}


def _lost_to_alpaca(r: Record) -> list[str]:
    chat = (("system", "system prompt"), ("opening_turns", "opening turns"), ("extra_turns", "later turns"))
    lost = [name for key, name in chat if r.meta.get(key)]
    if set(r.meta) - set(CHAT_KEYS):
        lost.append("meta")
    if r.extra:
        lost.append("added columns")
    return lost


def _lost_to_dolly(r: Record) -> list[str]:
    lost = ["meta"] if set(r.meta) - {"category"} else []
    return lost + (["added columns"] if r.extra else [])


def _lost_to_prompt_completion(r: Record) -> list[str]:
    return (["input (joined to the instruction)"] if r.input else []) + _lost_to_alpaca(r)


def _lost_to_chat(r: Record) -> list[str]:
    lost = ["input (joined to the instruction)"] if r.input else []
    if set(r.meta) - set(CHAT_KEYS):
        lost.append("meta")
    if r.extra:
        lost.append("added columns")
    return lost


EXPORTERS: dict[str, Callable[[Record], dict[str, Any]]] = {
    "contract": to_contract,
    "alpaca": to_alpaca,
    "dolly": to_dolly,
    "prompt_completion": to_prompt_completion,
    "messages": to_messages,
    "sharegpt": to_sharegpt,
}

LOSSES: dict[str, Callable[[Record], list[str]]] = {
    "contract": lambda r: [],
    "alpaca": _lost_to_alpaca,
    "dolly": _lost_to_dolly,
    "prompt_completion": _lost_to_prompt_completion,
    "messages": _lost_to_chat,
    "sharegpt": _lost_to_chat,
}

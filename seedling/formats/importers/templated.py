"""One `text` field holding a whole conversation in a chat template, as SFT datasets often ship
(Guanaco's "### Human: ... ### Assistant: ...", Anthropic's "Human: ... Assistant: ...", Alpaca's
"### Instruction: ... ### Response:", ChatML, Llama 2's [INST], Llama 3's headers). The template is found from its markers and the
turns go through the chat rules. Read only where `text` is the one field with words in it (the
others labels), and a text in no known template is refused with the way to map its columns."""

import re

from seedling.formats.importers.conversation import ROLE_ALIASES, turns_to_record

NAME = "templated"
ALPACA = re.compile(r"^\s*###\s*(Instruction|Input|Response)\s*:\s*", re.I | re.M)
HASHES = re.compile(r"###\s*(Human|User|Assistant|System)\s*:\s*", re.I)
HH = re.compile(r"(?:^|\n\n)(Human|Assistant):[ \t]*")  # Anthropic's HH-RLHF transcripts
CHATML = re.compile(r"<\|im_start\|>\s*(\w+)\s*\n(.*?)(?:<\|im_end\|>|$)", re.S)
LLAMA3 = re.compile(r"<\|start_header_id\|>\s*(\w+)\s*<\|end_header_id\|>\s*(.*?)(?:<\|eot_id\|>|$)", re.S)
INST = re.compile(r"\[INST\](.*?)\[/INST\](.*?)(?=\[INST\]|$)", re.S)
SYS = re.compile(r"<<SYS>>(.*?)<</SYS>>", re.S)
BOS_EOS = re.compile(r"</?s>")
LABELS = {"id", "source", "meta", "lang", "language", "category", "dataset"}  # fields beside a whole-chat text


def matches(keys: set[str]) -> bool:
    return "text" in keys and keys - {"text"} <= LABELS


def _split(pattern: re.Pattern, text: str) -> list[tuple[str, str]]:
    """(marker, text after it) for each marker in `text`."""
    parts = pattern.split(text)
    return [(parts[i].lower(), parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


def _inst_turns(text: str) -> list[tuple[str, str]]:
    turns = []
    for asked, answer in INST.findall(BOS_EOS.sub("", text)):
        system = SYS.search(asked)
        if system:
            turns.append(("system", system.group(1).strip()))
        turns += [("user", SYS.sub("", asked).strip()), ("assistant", answer.strip())]
    return turns


def turns_of(text: str) -> list[tuple[str, str]] | None:
    """The conversation in `text` as (role, text) turns; None when no template is found."""
    for pattern in (CHATML, LLAMA3):
        found = [(role.lower(), body.strip()) for role, body in pattern.findall(text)]
        if found:
            return found
    if INST.search(text):
        return _inst_turns(text)
    if len(HASHES.findall(text)) >= 2:
        preamble = HASHES.split(text, maxsplit=1)[0].strip()  # Vicuna's "A chat between ...": its system prompt
        return ([("system", preamble)] if preamble else []) + _split(HASHES, text)
    if text.lstrip().startswith("Human:") and len(HH.findall(text.lstrip())) >= 2:
        return _split(HH, text.lstrip())
    return None


def chat_turns(text: str, row, field: str) -> list[tuple[str, str]] | None:
    """`text`'s turns in a known template with roles mapped through ROLE_ALIASES; None when no
    template is found, a failure naming `field` when a turn's role is not a chat role."""
    turns = turns_of(text)
    if turns is None:
        return None
    unknown = next((role for role, _ in turns if role not in ROLE_ALIASES), None)
    if unknown is not None:
        raise row.fail(f"field {field!r} has a turn for role {unknown!r}")
    return [(ROLE_ALIASES[role], body) for role, body in turns]


def convert(row):
    text = row.require("text")
    meta = row.rest("text")
    if not isinstance(text, str):
        raise row.fail("field 'text' must be a string")
    sections = dict(_split(ALPACA, text)) if ALPACA.search(text) else {}
    if "instruction" in sections and "response" in sections:
        yield row.record(instruction=sections["instruction"], input=sections.get("input", ""),
                         output=sections["response"], source="imported:templated", meta=meta)
        return
    turns = chat_turns(text, row, "text")
    if turns is None:
        raise row.fail("field 'text' is in no chat template seedling knows (ChatML, Llama 2 [INST], Llama 3 "
                       "headers, '### Human:/### Assistant:', 'Human:/Assistant:', Alpaca's '### Instruction:/"
                       "### Response:'); map your columns with --map instruction=COLUMN,output=COLUMN (--map instruction=text reads "
                       "the texts as prompts)")
    yield turns_to_record(turns, row, "imported:templated", meta)

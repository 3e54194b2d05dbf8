"""The output repeats the instruction instead of carrying it out."""

from seedling.quality.read import first_word, normalize

MIN_CHARS = 10  # an instruction this short (normalized) is too short to call an echo


def echoes_instruction(r) -> bool:
    out = normalize(r.output)
    if len(out) <= MIN_CHARS:  # no echo of a longer instruction fits: the instruction, often a passage, is not read
        return False
    first = first_word(r.instruction)
    if first is not None and not out.startswith(first):  # an echo starts with the instruction's first word
        return False
    ins = normalize(r.instruction)
    return len(ins) > MIN_CHARS and (out == ins or (out.startswith(ins) and len(out) < 1.2 * len(ins)))

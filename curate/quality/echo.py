"""The output repeats the instruction instead of carrying it out."""

from seedling.text import normalize


def echoes_instruction(r) -> bool:
    ins, out = normalize(r.instruction), normalize(r.output)
    return len(ins) > 10 and (out == ins or (out.startswith(ins) and len(out) < 1.2 * len(ins)))

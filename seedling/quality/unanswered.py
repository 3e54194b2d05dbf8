"""No answer: a placeholder output, or an output that only copies the input back."""

from seedling.quality.read import normalize, normalizes_to

PLACEHOLDERS = {"", "n a", "na", "none", "null", "todo", "tbd", "no output", "noinput", "no input", "output"}


def unanswered(r) -> bool:
    out = normalize(r.output)
    if out in PLACEHOLDERS:
        return True
    return len(out) > 20 and bool(r.input.strip()) and normalizes_to(r.input, out)

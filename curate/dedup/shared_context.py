"""Same context is not same task: rows whose prompts hold one passage (inside the
instruction, the input or a chat's first turn) but ask different things are distinct examples
(reading comprehension, QA over one document). They are reported as groups so a person sees
them, never removed for sharing the passage.

A row's passage is its longest run of at least `CONTEXT_WORDS` words covered by 3-grams that
other prompts hold too, template wording aside; rows are grouped by the smallest 3-gram inside
that run (its seams with the template left out), which every row holding the passage shares.
"""

from __future__ import annotations

from curate.dedup.prompts import CONTEXT_WORDS, GRAM, Anatomy, Prompt

SEAM = GRAM  # grams at each end of a run, where the passage meets the template


def passage(p: Prompt, anatomy: Anatomy) -> tuple[int, int] | None:
    """Word span [start, end) of the row's passage, or None."""
    shared = [anatomy.df[g] >= 2 and g not in anatomy.boilerplate for g in p.grams]
    best, start, run = None, 0, 0
    for k in range(len(p.words)):
        covered = any(shared[c] for c in range(max(0, k - GRAM + 1), min(k, len(shared) - 1) + 1))
        if covered:
            start, run = (k, 1) if run == 0 else (start, run + 1)
            if run >= CONTEXT_WORDS and (best is None or run > best[1] - best[0]):
                best = (start, k + 1)
        else:
            run = 0
    return best


def shared_context_groups(anatomy: Anatomy, rows: list[int]) -> list[dict]:
    """Groups among `rows` (the rows dedup kept: a copy does not ask a different thing)."""
    groups: dict[str, dict] = {}
    for i in rows:
        p = anatomy.prompts[i]
        span = passage(p, anatomy)
        if span is None:
            continue
        inner = p.grams[span[0] + SEAM:span[1] - GRAM + 1 - SEAM] or p.grams[span[0]:span[1] - GRAM + 1]
        group = groups.setdefault(min(inner), {"rows": [], "span": {}})
        group["rows"].append(i)
        group["span"][i] = span
    out = []
    for g in groups.values():
        rows = g["rows"]
        questions = {anatomy.prompts[i].key for i in rows}
        if len(rows) > 1 and len(questions) > 1:
            first = rows[0]
            s, e = g["span"][first]
            out.append({"rows": rows, "distinct_prompts": len(questions),
                        "distinct_answers": len({anatomy.prompts[i].answer for i in rows}),
                        "passage_words": e - s,
                        "passage_preview": " ".join(anatomy.prompts[first].words[s:s + 30]),
                        "asks": {i: _rest(anatomy.prompts[i], g["span"][i]) for i in rows}})
    return sorted(out, key=lambda g: -len(g["rows"]))


def _rest(p: Prompt, span: tuple[int, int], width: int = 120) -> str:
    """What the row asks beside the passage."""
    text = " ".join(p.words[:span[0]] + ["[…]"] + p.words[span[1]:])
    return text if len(text) <= width else text[:width - 1] + "…"

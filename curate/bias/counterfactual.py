"""Counterfactual copies of the rows that mention gender (`curate --counterfactual gender`):
each copy swaps pronouns, gendered nouns, titles and first names, and carries
`meta.counterfactual_of` = the original's id. Rows whose task would change meaning under the
swap (pregnancy, Mother's Day, ...) are counted by rule and not copied."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from curate.bias.gender_swap import swap
from seedling.record import Record

# A swap would make these rows wrong or odd, not fairer: biology, gendered holidays and roles
# that are defined by sex. Matched as whole words, case-insensitive.
SKIP_TERMS = (
    "pregnant", "pregnancy", "pregnancies", "mother's day", "father's day", "mothers day", "fathers day",
    "breastfeeding", "breastfeed", "breast milk", "breast cancer", "menstruation", "menstrual", "menopause",
    "period cramps", "childbirth", "give birth", "gave birth", "giving birth", "miscarriage", "ovarian", "ovary",
    "ovaries", "uterus", "womb", "cervical", "prostate", "testicular", "testicles", "erectile", "maternity",
    "paternity", "gynecologist", "obstetrician", "midwife", "suffragette", "women's suffrage", "feminism",
    "feminist", "international women's day", "sex chromosome", "y chromosome",
)
_SKIP = re.compile(r"\b(" + "|".join(re.escape(t).replace("'", "['’]?") for t in SKIP_TERMS) + r")\b", re.IGNORECASE)
AXES = ("gender",)


def skip_rule(text: str) -> str | None:
    m = _SKIP.search(text)
    return m.group(1).lower().replace("’", "'") if m else None


def augment(records: list[Record], axis: str = "gender") -> tuple[list[Record], dict]:
    """The counterfactual copies of `records` and the counts: rows that mention the axis,
    swapped, skipped by each rule, and copies already present in the data."""
    if axis not in AXES:
        raise ValueError(f"counterfactual axis {axis!r}: only {', '.join(AXES)} is supported")
    present = {r.id for r in records}
    copies, skipped, already = [], Counter(), 0
    mentioning = 0
    for r in records:
        if r.meta.get("counterfactual_of"):
            continue  # a copy is not copied back
        swapped = [swap(t) for t in (r.instruction, r.input, r.output)]
        if not sum(n for _, n in swapped):
            continue
        mentioning += 1
        rule = skip_rule(f"{r.instruction}\n{r.input}\n{r.output}")
        if rule:
            skipped[rule] += 1
            continue
        copy = replace(r, instruction=swapped[0][0], input=swapped[1][0], output=swapped[2][0],
                       meta={**r.meta, "counterfactual_of": r.id, "counterfactual": axis})
        if copy.id in present:
            already += 1
            continue
        present.add(copy.id)
        copies.append(copy)
    return copies, {"axis": axis, "rows": len(records), "rows_mentioning": mentioning, "swapped": len(copies),
                    "skipped_by_rule": sum(skipped.values()), "skipped_rules": dict(skipped.most_common()),
                    "already_present": already,
                    "rule": "pronouns (her/his by the next word), gendered nouns and titles, first names "
                            "(US Census 1990 pairs); rows naming a skip term are counted, not swapped"}

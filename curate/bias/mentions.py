"""Count who is mentioned: rows per group and axis (with rates), skew within each axis,
gendered pronoun balance, and occupations co-occurring with gendered words. A row counts for
the female or male group when it holds a gendered noun or pronoun ("she", "his", "mother"). Every figure
carries its counts; rates are over all rows scanned."""

from __future__ import annotations

from collections import Counter

from curate.bias.lexicon import FEMALE_PRONOUNS, MALE_PRONOUNS, SOURCE, Lexicon, load
from curate.bias.occupations import OCCUPATIONS
from seedling.text import words
from seedling.record import Record

UNDER_SHARE = 0.2  # a group under 20 % of its axis' most-mentioned group is under-represented


def _row_mentions(tokens: list[str], lex: Lexicon) -> set[tuple[str, str]]:
    found = set()
    for i in range(len(tokens)):
        if tokens[i] not in lex.first_words:
            continue
        for n in (3, 2, 1):
            hit = lex.terms.get(tuple(tokens[i:i + n]))
            if hit is None:
                continue
            axis, group, needs_noun = hit
            if not needs_noun or any(t in lex.person_nouns for t in tokens[i + n:i + n + 2]):
                found.add((axis, group))
            break
    return found


def _skew(counts: dict[str, int]) -> dict:
    nonzero = [c for c in counts.values() if c]
    top = max(counts.values(), default=0)
    return {
        "max_to_min_nonzero": round(top / min(nonzero), 2) if nonzero else None,
        "max_group": max(counts, key=counts.get) if nonzero else None,
        "under_represented": [g for g, c in counts.items() if top and c < UNDER_SHARE * top],
    }


def audit(records: list[Record]) -> dict:
    lex = load()
    n = len(records)
    group_rows: Counter = Counter()
    pronouns = Counter()
    occupation = {o: Counter() for o in OCCUPATIONS}
    mentioning = 0
    for r in records:
        tokens = words(f"{r.instruction} {r.input} {r.output}")
        token_set = set(tokens)
        female, male = bool(token_set & lex.female_words), bool(token_set & lex.male_words)
        mentions = _row_mentions(tokens, lex) | {("gender", g) for g, hit in (("female", female), ("male", male)) if hit}
        group_rows.update(mentions)
        mentioning += bool(mentions)
        pronouns["female"] += sum(t in FEMALE_PRONOUNS for t in tokens)
        pronouns["male"] += sum(t in MALE_PRONOUNS for t in tokens)
        for o in OCCUPATIONS:
            if o in token_set or o + "s" in token_set:
                occupation[o].update(rows=1, with_female=int(female), with_male=int(male))
    axes = {}
    for axis, groups in lex.groups.items():
        counts = {g: group_rows[(axis, g)] for g in groups}
        axes[axis] = {
            "rows_with_mention": sum(counts.values()),
            "groups": {g: {"rows": c, "rate": round(c / n, 4) if n else 0.0} for g, c in
                       sorted(counts.items(), key=lambda kv: -kv[1])},
            "skew": _skew(counts),
        }
    f, m = pronouns["female"], pronouns["male"]
    return {
        "rows": n,
        "rows_with_any_mention": mentioning,
        "lexicon": SOURCE,
        "axes": axes,
        "pronouns": {"female": f, "male": m, "male_share": round(m / (f + m), 4) if f + m else None,
                     "male_to_female": round(m / f, 2) if f else None},
        "occupations": {o: {"rows": c["rows"], "with_female": c["with_female"], "with_male": c["with_male"],
                            "male_share": round(c["with_male"] / (c["with_male"] + c["with_female"]), 4)
                            if c["with_male"] + c["with_female"] else None}
                        for o, c in sorted(occupation.items(), key=lambda kv: -kv[1]["rows"]) if c["rows"]},
        "sentiment_toxicity": {"skipped": True, "why": "no local sentiment or toxicity classifier is "
                               "installed, and seedling downloads nothing at run time"},
    }

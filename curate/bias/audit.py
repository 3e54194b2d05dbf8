"""The bias audit of one dataset: representation with intervals, associations, sentiment by
group, all counted in independent examples (rows of one shared passage or one template group
count once: curate/bias/units.py). Every rate carries its counts and a 95% interval; a finding
is made only against a target the user chose, where an interval at the family-wise 5% level
excludes it and enough examples bear on it (curate/README.md, "Bias audit")."""

from __future__ import annotations

from curate.bias.associations import associations
from curate.bias.context_words import tokens
from curate.bias.lexicon import SOURCE, load
from curate.bias.representation import NO_TARGET, axis_figures, axis_targets, occupation_figures, pronoun_figures
from curate.bias.scans import Scans, scan_all
from curate.bias.sentiment import sentiment
from curate.bias.units import describe
from seedling.people import FEMALE_PRONOUNS, MALE_PRONOUNS
from seedling.record import Record

MIN_ROWS = 30  # fewer independent examples bearing on a question: the audit says it cannot tell


def skip_words(lex) -> dict[str, set[str]]:
    """Per axis, the words of its own group terms and group names, whole and in parts, with
    plurals (and for gender the pronouns and gendered nouns): they associate with their group
    by construction, so associations leave them out."""
    skip: dict[str, set[str]] = {axis: set() for axis in lex.groups}
    for key, (axis, _, _) in lex.terms.items():
        skip.setdefault(axis, set()).update([*key, "-".join(key), " ".join(key)])
    for axis, groups in lex.groups.items():
        for g in groups:
            whole = tokens(g.replace("_", " "))
            skip[axis].update(whole, (p for w in whole for p in w.split("-")))
    skip["gender"] |= FEMALE_PRONOUNS | MALE_PRONOUNS | lex.female_words | lex.male_words
    return {axis: words | {w + "s" for w in words} | {w + "es" for w in words} for axis, words in skip.items()}


def audit(records: list[Record], targets: dict[str, dict[str, float]] | None = None, min_rows: int = MIN_ROWS,
          scans: Scans | None = None, target_from: str = "bias_targets", units=None,
          units_source: str = "dedup") -> dict:
    """`targets`: axis -> group -> target share (a user's distribution); axes it leaves out get
    shares and gaps but no verdict. `units`: per row its independent example (curate/bias/units.py);
    `scans` given: they must have been built with the same units, which `units` then names."""
    lex = load()
    scans = scans if scans is not None else scan_all(records, units=units)
    given = units is not None
    axes = {}
    for axis, groups in lex.groups.items():
        axes[axis] = axis_figures(axis, groups, scans, axis_targets(axis, groups, targets), min_rows, target_from)
    gender_target = axis_targets("gender", lex.groups["gender"], targets).get("female")
    chosen = sorted(a for a in axes if axes[a]["target_from"])
    return {
        "rows": len(records),
        "evidence": describe(scans.unit, units_source if given else "rows"),
        "rows_with_any_mention": scans.rows_with_any_mention,
        "lexicon": SOURCE,
        "method": {"interval": "Clopper-Pearson 95% (rates, shares; scipy); Student's t 95% (mean sentiment, never of "
                               "width zero); Newcombe hybrid score 95% (differences of rates); Welch's t (differences "
                               "of means)",
                   "finding": "only against a target the user chose (bias_targets, --reference), where the interval "
                              "excludes it at the family-wise 5% level (Bonferroni over the axis' free shares, the "
                              "occupations, the groups compared), with enough independent examples",
                   "min_rows": min_rows,
                   "unit": "independent example",
                   "targets": ({"given_for": chosen, "from": target_from} if chosen else
                               {"given_for": [], "from": None, "note": f"{NO_TARGET}: shares and the largest gaps "
                                "between groups are reported, no group is called under- or over-represented"})},
        "axes": axes,
        "pronouns": pronoun_figures(scans, gender_target, min_rows),
        "occupations": occupation_figures(scans, min_rows),
        "associations": associations(scans, lex.groups, skip_words(lex), min_rows),
        "sentiment": sentiment(scans, lex.groups, min_rows),
        "sentiment_toxicity": {"skipped": True, "why": "no local toxicity classifier is installed, and seedling "
                               "downloads nothing at run time (sentiment: see `sentiment`)"},
    }


def _gender_view(bias: dict) -> dict:
    gender = bias["axes"]["gender"]
    return {"pronouns": bias["pronouns"], "verdict": gender["verdict"],
            "groups": {g: gender["groups"][g] for g in ("female", "male")},
            "associations": bias["associations"]["gender"],
            "occupations_with_findings": {o: c for o, c in bias["occupations"].items() if c["finding"]}}


def counterfactual_effect(rows: list[Record], copies: list[Record], targets=None, min_rows: int = MIN_ROWS) -> dict:
    """Pronoun, gender-share and association figures on the rows before and after adding the copies."""
    return {"before": _gender_view(audit(rows, targets, min_rows)),
            "after": _gender_view(audit(rows + copies, targets, min_rows))}

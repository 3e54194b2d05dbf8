"""The bias audit of one dataset: representation with intervals, associations, sentiment by
group. Every rate carries its counts and a Wilson 95% interval; a finding is made only where an
interval at the family-wise 5% level excludes its target and enough rows bear on it
(curate/README.md, "Bias audit")."""

from __future__ import annotations

from curate.bias.associations import associations
from curate.bias.lexicon import SOURCE, load
from curate.bias.scans import Scans, scan_all
from curate.bias.representation import EXAMPLES, axis_figures, axis_targets, occupation_figures, pronoun_figures
from curate.bias.sentiment import sentiment
from seedling.people import FEMALE_PRONOUNS, MALE_PRONOUNS
from seedling.record import Record

MIN_ROWS = 30  # below this many rows bearing on a question the audit says it cannot tell


def skip_words(lex) -> dict[str, set[str]]:
    """Per axis, the words of its own group terms (and for gender the pronouns and gendered nouns):
    they associate with their group by construction, so associations leave them out."""
    skip = {axis: {w for key, (a, _, _) in lex.terms.items() if a == axis for w in key} for axis in lex.groups}
    skip["gender"] |= FEMALE_PRONOUNS | MALE_PRONOUNS | lex.female_words | lex.male_words
    return skip


def audit(records: list[Record], targets: dict[str, dict[str, float]] | None = None, min_rows: int = MIN_ROWS,
          scans: Scans | None = None, target_from: str = "bias_targets") -> dict:
    """`targets`: axis -> group -> target share (a user's distribution or a reference's shares);
    axes it leaves out get the default (female/male even, else even over the axis' groups)."""
    lex = load()
    scans = scans if scans is not None else scan_all(records)
    n = len(records)
    counts = scans.counts()
    examples = {m: scans.texts(rows, EXAMPLES) for m, rows in scans.index.items()}
    axes = {}
    for axis, groups in lex.groups.items():
        target = axis_targets(axis, groups, targets)
        source = target_from if targets and axis in targets else "default: even shares"
        axes[axis] = axis_figures(axis, groups, counts, n, target, min_rows, source, examples)
    female_target = axis_targets("gender", lex.groups["gender"], targets).get("female", 0.5)
    return {
        "rows": n,
        "rows_with_any_mention": scans.rows_with_any_mention,
        "lexicon": SOURCE,
        "method": {"interval": "Wilson score 95% (rates, shares); Newcombe hybrid score 95% (differences of rates)",
                   "finding": "only where the interval excludes the target at the family-wise 5% level (Bonferroni "
                              "over the axis' free shares, the occupations, the groups compared), with enough rows",
                   "min_rows": min_rows},
        "axes": axes,
        "pronouns": pronoun_figures(scans, female_target, min_rows),
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

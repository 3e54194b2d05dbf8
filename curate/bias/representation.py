"""Who is mentioned how often, with intervals: each group's rate over all rows and its share of
its axis' mentions against a target share; the female share of gendered pronouns; each
occupation's female share against the rest of the data. Every figure shows its Wilson 95%
interval. A group is called under- or over-represented only when the interval excludes the
target at the family-wise level of its axis (Bonferroni over the k - 1 free shares of k groups;
occupations: over the occupations tested), so a dataset with no skew raises a finding in about
5 % of audits, not in 5 % of groups; and only once at least `min_rows` rows bear on the
question; below that the audit says it cannot tell."""

from __future__ import annotations

from collections import Counter

import numpy as np

from curate.bias.scans import Scans
from seedling.stats import diff_ci, rate_ci, rate_vs_target, wilson, z_for

# Gender is compared female against male (the lexicon's other gender groups keep their rates
# but get no target unless one is given); every other axis against an even share of its groups.
DEFAULT_TARGETS = {"gender": {"female": 0.5, "male": 0.5}}
EXAMPLES = 3


def too_few(n: int, min_rows: int) -> str:
    return f"too few rows to tell ({n} of the {min_rows} needed)"


def axis_targets(axis: str, groups: list[str], given: dict[str, dict[str, float]] | None) -> dict[str, float]:
    """The target share of each group of `axis`, normalised to sum to 1 over the groups it names."""
    target = (given or {}).get(axis) or DEFAULT_TARGETS.get(axis) or {g: 1.0 for g in groups}
    total = sum(target.values())
    return {g: v / total for g, v in target.items() if g in groups and total > 0}


def axis_figures(axis: str, groups: list[str], counts: Counter, rows: int, targets: dict[str, float],
                 min_rows: int, target_from: str, examples: dict[tuple[str, str], list[str]]) -> dict:
    """One axis: rates over all rows, shares of the axis' mentions among the target groups,
    and the groups whose share interval excludes their target; a few example rows per group."""
    rows_by_group = {g: counts[(axis, g)] for g in groups}
    n = sum(rows_by_group[g] for g in targets)
    tests = max(1, len(targets) - 1)
    z = z_for(tests)
    entries = {}
    for g, c in sorted(rows_by_group.items(), key=lambda kv: -kv[1]):
        entry = {"rows": c, "rate": round(c / rows, 4) if rows else 0.0, "rate_ci95": rate_ci(c, rows)["ci95"]}
        if c:
            entry["examples"] = examples.get((axis, g), [])
        if g in targets:
            share = rate_ci(c, n)
            lo, hi = wilson(c, n, z)
            entry.update(share=share["rate"], share_ci95=share["ci95"], share_ci_adjusted=[round(lo, 4), round(hi, 4)],
                         target=round(targets[g], 4),
                         finding=rate_vs_target(c, n, targets[g], z) if n >= min_rows else None)
        entries[g] = entry
    nonzero = [c for c in rows_by_group.values() if c]
    top = max(rows_by_group.values(), default=0)
    under = [g for g, e in entries.items() if e.get("finding") == "under"]
    over = [g for g, e in entries.items() if e.get("finding") == "over"]
    verdict = too_few(n, min_rows) if n < min_rows else (
        f"{len(under)} under-represented, {len(over)} over-represented" if under or over else "no finding")
    return {
        "rows_with_mention": sum(rows_by_group.values()),
        "mentions_in_target_groups": n,
        "target_from": target_from,
        "tests": tests, "z_adjusted": round(z, 3),
        "verdict": verdict,
        "enough_rows": n >= min_rows,
        "groups": entries,
        "skew": {"max_to_min_nonzero": round(top / min(nonzero), 2) if nonzero else None,
                 "max_group": max(rows_by_group, key=rows_by_group.get) if nonzero else None,
                 "under_represented": under, "over_represented": over},
    }


def pronoun_figures(scans: Scans, female_target: float, min_rows: int) -> dict:
    """Token counts, and the test on rows (a row is one unit: ten "he" in one answer are one
    voice): of the rows whose pronouns lean one way, the female share against the target."""
    f, m = int(scans.female_pronouns.sum()), int(scans.male_pronouns.sum())
    leans_f = np.flatnonzero(scans.female_pronouns > scans.male_pronouns)
    leans_m = np.flatnonzero(scans.male_pronouns > scans.female_pronouns)
    rows_f, rows_m = len(leans_f), len(leans_m)
    n = rows_f + rows_m
    share = rate_ci(rows_f, n)
    finding = rate_vs_target(rows_f, n, female_target) if n >= min_rows else None
    under = {"under": "female", "over": "male"}.get(finding)
    return {"female": f, "male": m, "male_share": round(m / (f + m), 4) if f + m else None,
            "male_to_female": round(m / f, 2) if f else None,
            "rows_female_leaning": rows_f, "rows_male_leaning": rows_m,
            "female_row_share": share["rate"], "female_row_share_ci95": share["ci95"], "female_target": female_target,
            "under_represented": under,
            "examples_female_leaning": scans.texts(leans_f, EXAMPLES),
            "examples_male_leaning": scans.texts(leans_m, EXAMPLES),
            "verdict": too_few(n, min_rows) if n < min_rows else
            (f"{under} pronouns under-represented" if under else "no finding")}


def occupation_figures(scans: Scans, min_rows: int) -> dict:
    """Per occupation, the female share of its rows that are gendered one way only, against the
    same share in the rows without it (Newcombe interval of the difference)."""
    fem, male = scans.mentioning("gender", "female"), scans.mentioning("gender", "male")
    one_way = fem != male
    female_only = fem & one_way
    total_f, total = int(female_only.sum()), int(one_way.sum())
    per = {o: {"rows": len(rows), "with_female": int(fem[rows].sum()), "with_male": int(male[rows].sum()),
               "gendered": int(one_way[rows].sum()), "female": int(female_only[rows].sum())}
           for o, rows in scans.occupations.items()}
    z = z_for(sum(c["gendered"] >= min_rows for c in per.values()))
    out = {}
    for o, c in sorted(per.items(), key=lambda kv: -kv[1]["rows"]):
        k, n = c["female"], c["gendered"]
        diff = diff_ci(k, n, total_f - k, total - n)
        differs = diff_ci(k, n, total_f - k, total - n, z)["differs"]
        out[o] = {"rows": c["rows"], "with_female": c["with_female"], "with_male": c["with_male"],
                  "male_share": round(c["with_male"] / (c["with_male"] + c["with_female"]), 4)
                  if c["with_male"] + c["with_female"] else None,
                  "gendered_rows": n, "female_share": rate_ci(k, n)["rate"], "female_share_ci95": rate_ci(k, n)["ci95"],
                  "female_share_elsewhere": rate_ci(total_f - k, total - n)["rate"],
                  "difference": diff, "differs_adjusted": differs, "z_adjusted": round(z, 3),
                  "finding": ("leans female" if diff["diff"] > 0 else "leans male") if n >= min_rows and differs else None,
                  "verdict": too_few(n, min_rows) if n < min_rows else ("differs" if differs else "no finding")}
        if out[o]["finding"]:  # rows of the side it leans to: what steering asks to vary
            side = fem if out[o]["finding"] == "leans female" else male
            rows = scans.occupations[o]
            out[o]["examples"] = scans.texts(rows[(side & one_way)[rows]], EXAMPLES)
    return out

"""Who is mentioned how often, counted in independent examples (curate/bias/units.py), with
intervals: each group's rate over all examples and its share of its axis' mentions. A group is
called under- or over-represented only against a target the user chose (`bias_targets`, or a
reference dataset: curate/bias/reference.py), when the interval excludes it at the family-wise
level of its axis (Bonferroni over the k - 1 free shares of k groups) and at least `min_rows`
examples bear on the question. Without a target the audit reports the shares and the largest
gaps between groups, and says that no target was given: an even split over every group a
lexicon knows is no one's target. The female share of gendered pronouns and each occupation's
female share against the rest of the data are comparisons within the data."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from curate.bias.intervals import share_ci
from curate.bias.scans import Scans
from seedling.stats import diff_ci, rate_ci, z_for

EXAMPLES = 3
GAPS = 4
NO_TARGET = "no target given"


def too_few(n: int, min_rows: int) -> str:
    return f"too few to tell ({n} of the {min_rows} independent examples needed)"


def axis_targets(axis: str, groups: list[str], given: dict[str, dict[str, float]] | None) -> dict[str, float]:
    """The target share of each group of `axis` the user named, normalised to sum to 1; {} when none."""
    target = (given or {}).get(axis) or {}
    total = sum(target.values())
    return {g: v / total for g, v in target.items() if g in groups and total > 0}


def gaps(axis: str, names: list[str], scans: Scans, min_rows: int) -> list[dict]:
    """The gaps between two groups of an axis: of the examples naming one of the two but not both,
    the larger group's share, with a Clopper-Pearson interval at the family-wise 5 % level over
    the pairs compared (pairs with fewer than `min_rows` such examples are not compared). The
    gaps whose interval excludes parity come first, those resting on the most examples first."""
    present = sorted((g for g in names if len(scans.rows(axis, g))), key=lambda g: (-len(scans.rows(axis, g)), g))
    pairs = []
    for a, b in combinations(present, 2):
        ua, ub = scans.rows(axis, a), scans.rows(axis, b)
        ka, kb = len(np.setdiff1d(ua, ub, assume_unique=True)), len(np.setdiff1d(ub, ua, assume_unique=True))
        if ka + kb >= min_rows:
            pairs.append((a, b, ka, kb) if ka >= kb else (b, a, kb, ka))
    level = 1 - 0.05 / max(1, len(pairs))
    out = []
    for a, b, ka, kb in pairs:
        lo, hi = share_ci(ka, ka + kb, level, digits=None)  # odds from the share as computed: 0.99996 shows as 1
        shown = [round(lo, 4), round(hi, 4)]
        out.append({"more": a, "fewer": b, "examples_more": ka, "examples_fewer": kb,
                    "share_of_more": round(ka / (ka + kb), 4), "share_ci_adjusted": shown,
                    "ratio": round(ka / kb, 2) if kb else None,
                    "ratio_ci_adjusted": [round(lo / (1 - lo), 2), round(hi / (1 - hi), 2) if shown[1] < 1 else None],
                    "differs": shown[0] > 0.5})
    out.sort(key=lambda g: (not g["differs"], -(g["examples_more"] + g["examples_fewer"]), g["more"], g["fewer"]))
    return out[:GAPS]


def axis_figures(axis: str, groups: list[str], scans: Scans, targets: dict[str, float],
                 min_rows: int, target_from: str | None) -> dict:
    """One axis: rates over all examples, shares of the axis' mentions (among the target groups
    when a target is given), findings against the target, the largest gaps; a few example rows."""
    counts = scans.counts()
    units = len(scans)
    rows_by_group = {g: counts[(axis, g)] for g in groups}
    share_groups = targets or groups
    n = sum(rows_by_group[g] for g in share_groups)
    tests = max(1, len(targets) - 1)
    z = z_for(tests)
    entries = {}
    for g, c in sorted(rows_by_group.items(), key=lambda kv: -kv[1]):
        entry = {"rows": c, "rate": round(c / units, 4) if units else 0.0, "rate_ci95": share_ci(c, units)}
        if c:
            entry["examples"] = scans.quotes(axis, g, EXAMPLES)
        if g in share_groups and n:
            entry.update(share=round(c / n, 4), share_ci95=share_ci(c, n))
        if g in targets:
            lo, hi = share_ci(c, n, 1 - 0.05 / tests)
            t = targets[g]
            entry.update(share_ci_adjusted=[lo, hi], target=round(t, 4),
                         finding=("under" if hi < t else "over" if lo > t else None) if n >= min_rows else None)
        entries[g] = entry
    nonzero = [c for c in rows_by_group.values() if c]
    under = [g for g, e in entries.items() if e.get("finding") == "under"]
    over = [g for g, e in entries.items() if e.get("finding") == "over"]
    if n < min_rows:
        verdict = too_few(n, min_rows)
    elif not targets:
        verdict = f"{NO_TARGET}: shares and gaps only"
    else:
        verdict = f"{len(under)} under-represented, {len(over)} over-represented" if under or over else "no finding"
    return {
        "rows_with_mention": sum(rows_by_group.values()),
        "mentions_in_target_groups": n,
        "target_from": target_from if targets else None,
        "tests": tests if targets else 0, "z_adjusted": round(z, 3) if targets else None,
        "verdict": verdict,
        "enough_rows": n >= min_rows,
        "groups": entries,
        "gaps": gaps(axis, groups, scans, min_rows) if n >= min_rows else [],
        "skew": {"max_to_min_nonzero": round(max(nonzero) / min(nonzero), 2) if nonzero else None,
                 "max_group": max(rows_by_group, key=rows_by_group.get) if nonzero else None,
                 "under_represented": under, "over_represented": over},
    }


def pronoun_figures(scans: Scans, female_target: float | None, min_rows: int) -> dict:
    """Token counts, and the test on independent examples (ten "he" in one answer, or in ten rows
    about one passage, are one voice): of the examples whose pronouns lean one way, the female
    share, against the target when one was given."""
    f, m = int(scans.female_pronouns.sum()), int(scans.male_pronouns.sum())
    leans_f = np.flatnonzero(scans.female_pronouns > scans.male_pronouns)
    leans_m = np.flatnonzero(scans.male_pronouns > scans.female_pronouns)
    rows_f, rows_m = len(leans_f), len(leans_m)
    n = rows_f + rows_m
    share = rate_ci(rows_f, n)
    share["ci95"] = lo, hi = share_ci(rows_f, n)
    finding = None
    if n >= min_rows and female_target is not None:
        finding = "under" if hi < female_target else "over" if lo > female_target else None
    under = {"under": "female", "over": "male"}.get(finding)
    return {"female": f, "male": m, "male_share": round(m / (f + m), 4) if f + m else None,
            "male_to_female": round(m / f, 2) if f else None,
            "rows_female_leaning": rows_f, "rows_male_leaning": rows_m,
            "female_row_share": share["rate"], "female_row_share_ci95": share["ci95"], "female_target": female_target,
            "under_represented": under,
            "examples_female_leaning": scans.texts(leans_f, EXAMPLES),
            "examples_male_leaning": scans.texts(leans_m, EXAMPLES),
            "verdict": too_few(n, min_rows) if n < min_rows else NO_TARGET if female_target is None else
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
    for o, c in sorted(per.items(), key=lambda kv: (-kv[1]["rows"], kv[0])):  # ties by name: sets have no order
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

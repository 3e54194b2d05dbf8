"""Suggestions a later generate round can take as steering input. For people: only findings
whose 95% interval excludes the target (a group an axis under-represents, a pronoun skew, an
occupation that leans to one gender), each asking for a counterfactual variant of one quoted
row of the over-represented side, never a list of descriptors to sprinkle. For topics: the
sparse clusters and, given a reference, the reference topics the data misses, with whole
instructions a prompt can show as examples."""

from __future__ import annotations

from seedling.steering import VERSION, SteeringFile
from seedling.text import text_hash

from curate.bias.lexicon import load

MAX_PER_AXIS = 4  # a prompt quotes a couple of hints; more only dilutes them
MAX_EXAMPLES = 6


def region_hint(central: str) -> str:
    """What a region of the seed tasks is, as a person (and the teacher) reads it: its most
    central instruction, not its keywords."""
    return f'tasks like "{central.strip()}"'


def suggestions(bias: dict, clusters: list[dict], rows: int, members: dict[int, list[str]] | None = None,
                coverage: dict | None = None, embedder: str | None = None) -> dict:
    """`members` maps a cluster to its whole instructions; `coverage` is the reference coverage
    (its missed clusters become `missing_topics`), judged with the embedder named `embedder`."""
    members = members or {}
    lex = load()
    groups = []
    for axis, figures in bias["axes"].items():
        under = figures["skew"]["under_represented"]
        # Least mentioned first; ties in a fixed order that is not the lexicon's alphabet.
        under = sorted(under, key=lambda g: (figures["groups"][g]["rows"], text_hash(g)))[:MAX_PER_AXIS]
        sources = figures["skew"].get("over_represented") or [figures["skew"]["max_group"]]
        quoted = [t for g in sources if g for t in figures["groups"][g].get("examples", [])]
        for n, group in enumerate(under):
            if not quoted:
                break
            term = next(" ".join(k) for k, (a, g, _) in lex.terms.items() if a == axis and g == group)
            e = figures["groups"][group]
            row = quoted[n % len(quoted)]
            groups.append({"axis": axis, "group": group, "rows": e["rows"],
                           "axis_max_rows": max(g["rows"] for g in figures["groups"].values()),
                           "share": e["share"], "share_ci95": e["share_ci95"], "target": e["target"],
                           "quoted_row": row,
                           "request": f'write a variant of this task in which the people are {term} ({axis}): "{row}"'})
    for occupation, o in bias["occupations"].items():
        if o["finding"] and o.get("examples"):
            other = "woman" if o["finding"] == "leans male" else "man"
            row = o["examples"][0]
            groups.append({"axis": "gender", "group": "female" if other == "woman" else "male", "rows": o["gendered_rows"],
                           "share": o["female_share"], "share_ci95": o["female_share_ci95"],
                           "target": o["female_share_elsewhere"], "occupation": occupation, "quoted_row": row,
                           "request": f'write a variant of this task in which the {occupation} is a {other}: "{row}"'})
    unmentioned = [axis for axis, f in bias["axes"].items() if not f["rows_with_mention"]]
    pron = bias["pronouns"]
    pronoun_hint = None
    if pron["under_represented"]:
        fewer = pron["under_represented"]
        quoted = pron["examples_male_leaning" if fewer == "female" else "examples_female_leaning"]
        people = "women and girls (she, her)" if fewer == "female" else "men and boys (he, him)"
        requests = [f'write a variant of this task about {people} instead: "{row}"' for row in quoted]
        if requests:
            pronoun_hint = {"under_represented": fewer, "female": pron["female"], "male": pron["male"],
                            "female_row_share": pron["female_row_share"],
                            "female_row_share_ci95": pron["female_row_share_ci95"], "quoted_rows": quoted,
                            "requests": requests, "request": requests[0]}
    sparse = [{"cluster": c["cluster"], "label": c["label"], "size": c["size"], "examples": c["examples"],
               "instructions": members.get(c["cluster"], [])[:MAX_EXAMPLES],
               "request": f"write more tasks like: {c['examples'][0]}" if c["examples"] else ""}
              for c in clusters if c["flag"] == "sparse"]
    missing = [{"label": m["label"], "size": m["size"], "covered_share": m["covered_share"],
                "instructions": m["uncovered"][:MAX_EXAMPLES], "central": m["central"],
                "rows_landed": m["rows_landed"], "targets": m.get("targets", []), "request": region_hint(m["central"])}
               for m in (coverage or {}).get("missed_clusters", []) if m["label"]]
    return SteeringFile(version=VERSION, rows_audited=rows, under_represented_groups=groups,
                        axes_never_mentioned=unmentioned, pronouns=pronoun_hint, sparse_clusters=sparse,
                        missing_topics=missing,
                        coverage_judge={"embedder": embedder, "threshold": coverage["threshold"]}
                        if coverage and embedder else None)

"""Counterfactual suggestions a later generate round can take as steering input: the groups
each axis under-represents (with their counts), the sparse clusters and, given a reference,
the reference topics the data misses; each with a plain request a prompt template can quote
and, for clusters and topics, whole instructions a prompt can show as examples."""

from __future__ import annotations

from seedling.steering import VERSION, SteeringFile
from seedling.text import text_hash

from curate.bias.lexicon import load

MAX_PER_AXIS = 4  # a prompt quotes a couple of hints; more only dilutes them
MAX_EXAMPLES = 6


def suggestions(bias: dict, clusters: list[dict], rows: int, members: dict[int, list[str]] | None = None,
                coverage: dict | None = None) -> dict:
    """`members` maps a cluster to its whole instructions; `coverage` is the reference coverage
    (its missed clusters become `missing_topics`)."""
    members = members or {}
    lex = load()
    groups = []
    for axis, figures in bias["axes"].items():
        under = figures["skew"]["under_represented"] if figures["rows_with_mention"] else []
        # Least mentioned first; ties in a fixed order that is not the lexicon's alphabet.
        under = sorted(under, key=lambda g: (figures["groups"][g]["rows"], text_hash(g)))
        for group in under[:MAX_PER_AXIS]:
            terms = [" ".join(k) for k, (a, g, _) in lex.terms.items() if a == axis and g == group][:5]
            groups.append({"axis": axis, "group": group, "rows": figures["groups"][group]["rows"],
                           "axis_max_rows": max(g["rows"] for g in figures["groups"].values()),
                           "example_terms": terms,
                           "request": f"include people described as {', '.join(terms[:3])} ({axis})"})
    unmentioned = [axis for axis, f in bias["axes"].items() if not f["rows_with_mention"]]
    pron = bias["pronouns"]
    pronoun_hint = None
    if pron["under_represented"]:
        fewer = pron["under_represented"]
        pronoun_hint = {"under_represented": fewer, "female": pron["female"], "male": pron["male"],
                        "request": f"use more {fewer} pronouns and nouns for people in tasks and answers"}
    sparse = [{"cluster": c["cluster"], "label": c["label"], "size": c["size"], "examples": c["examples"],
               "instructions": members.get(c["cluster"], [])[:MAX_EXAMPLES],
               "request": f"write more tasks like: {c['examples'][0]}" if c["examples"] else ""}
              for c in clusters if c["flag"] == "sparse"]
    missing = [{"label": m["label"], "size": m["size"], "covered_share": m["covered_share"],
                "instructions": m["uncovered"][:MAX_EXAMPLES],
                "request": f"tasks about {', '.join(m['label'][:3])}"}
               for m in (coverage or {}).get("missed_clusters", []) if m["label"]]
    return SteeringFile(version=VERSION, rows_audited=rows, under_represented_groups=groups,
                        axes_never_mentioned=unmentioned, pronouns=pronoun_hint, sparse_clusters=sparse,
                        missing_topics=missing).model_dump()

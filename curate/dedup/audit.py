"""The dedup part of audit.json: per tier what was checked, removed and why, with the score
distribution and the borderline pairs; removals per source column; and the sameness that is
kept (shared-context groups, template variants, conflicts), each with examples."""

from __future__ import annotations

from collections import Counter

import numpy as np

from curate.dedup.keep_policy import POLICY
from curate.dedup.pools import ANSWERERS, split
from curate.dedup.prompts import CONTEXT_WORDS
from curate.dedup.result import DedupResult, Removal, TierOutcome
from curate.dedup.shared_context import Passages
from seedling.record import Record
from seedling.text import preview

SOURCE_COLUMNS = ("source", "dataset", "task", "category", "subset")  # looked up in meta, first found
HIDDEN = ("pair_scores", "borderline_pairs")
SCORES_OF = {"near": "prompt 3-gram Jaccard of pairs whose answers match and are evidence (variants aside)",
             "semantic": "lowest part cosine, against each part's threshold, of pairs whose answers share half "
                         "their words"}
EXAMPLES = 8


def histogram(scores: list[float], of: str) -> dict:
    counts, edges = np.histogram(scores, bins=50, range=(0.0, 1.0))
    return {"of": of, "edges": [round(float(e), 3) for e in edges], "counts": counts.tolist(),
            "p50": round(float(np.median(scores)), 4), "p99": round(float(np.quantile(scores, 0.99)), 4)}


def _example(records: list[Record], removal: Removal) -> dict:
    out = {"removed": preview(records[removal.index].prompt, 300), "removed_answer": preview(records[removal.index].output, 80),
           "reason": removal.reason}
    if removal.dup_of is not None:
        out["kept"] = preview(records[removal.dup_of].prompt, 300)
        out["kept_answer"] = preview(records[removal.dup_of].output, 80)
    return out


def tier_figures(records: list[Record], outcome: TierOutcome) -> dict:
    figures = {"name": outcome.name, "checked": outcome.checked, "removed": len(outcome.removals),
               "seconds": outcome.seconds, "details": {k: v for k, v in outcome.details.items() if k not in HIDDEN},
               "examples": [_example(records, r) for r in outcome.removals[:EXAMPLES]]}
    if outcome.details.get("pair_scores"):
        figures["scores"] = histogram(outcome.details["pair_scores"], SCORES_OF[outcome.name])
    if "borderline_pairs" in outcome.details:
        figures["borderline_pairs"] = [  # answers too: a pool's borderline pairs often share the prompt
            {"a": preview(records[i].prompt, 200), "a_answer": preview(records[i].output, 120),
             "b": preview(records[j].prompt, 200), "b_answer": preview(records[j].output, 120), "score": round(s, 4)}
            for i, j, s in outcome.details["borderline_pairs"][:12]]
    return figures


def source_column(records: list[Record]) -> str | None:
    """The meta column that names where each row came from (e.g. T0's dataset), if the data has one."""
    return next((c for c in SOURCE_COLUMNS if any(isinstance(r.meta.get(c), str) for r in records[:1000])), None)


def removed_by_source(records: list[Record], dedup: DedupResult) -> dict | None:
    column = source_column(records)
    if column is None:
        return None
    rows = Counter(str(r.meta.get(column)) for r in records)
    removed = {t.name: Counter(str(records[r.index].meta.get(column)) for r in t.removals) for t in dedup.tiers}
    return {"column": f"meta.{column}",
            "sources": {s: {"rows": n, **{t: c[s] for t, c in removed.items() if c[s]}} for s, n in rows.most_common()}}


def _components(pairs) -> list[list[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, _ in pairs:
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


def variants_figures(records: list[Record], dedup: DedupResult, gone: set[int], policy: str) -> dict:
    groups = _components(dedup.variants)
    return {"rule": "the same example and answer under another template (the prompts differ only in wording "
                    f"the dataset repeats across many prompts): {'removed' if policy == 'remove' else 'kept'}",
            "policy": policy, "pairs": len(dedup.variants), "groups": len(groups),
            "rows": sum(len(g) for g in groups), "kept_rows": sum(1 for g in groups for i in g if i not in gone),
            "examples": [{"rows": len(g), "answer": preview(records[g[0]].output, 80),
                          "prompts": [preview(records[i].prompt, 200) for i in g[:3]]} for g in groups[:5]]}


def conflicts_figures(records: list[Record], dedup: DedupResult, gone: set[int], policy: str) -> dict:
    groups, pools = split(records, dedup.conflicts)
    kept = "all kept and flagged `conflicting_answers`" if policy == "flag" else "the preferred row kept"
    return {"rule": f"the same normalised prompt with different answers: {kept}",
            "policy": policy, "groups": len(groups), "rows": sum(len(g) for g in groups),
            "kept_rows": sum(1 for g in groups for i in g if i not in gone),
            "examples": [{"prompt": preview(records[g[0]].prompt, 200),
                          "answers": [preview(records[i].output, 80) for i in g[:4]]} for g in groups[:5]],
            "pools": {"rule": "one prompt answered by several models, or ranked replies, as the rows' own fields say "
                              f"(answer_number, {', '.join(ANSWERERS)}): a pool of answers, not a conflict; "
                              + ("all kept, not flagged" if policy == "flag" else "the preferred row kept"),
                      "groups": len(pools), "rows": sum(len(g) for g in pools),
                      "kept_rows": sum(1 for g in pools for i in g if i not in gone)}}


def context_figures(passages: Passages, gone: set[int]) -> dict:
    groups = passages.groups({i for i in range(len(passages.anatomy)) if i not in gone})
    return {"rule": f"kept rows whose prompts hold the same passage (a run of at least {CONTEXT_WORDS} words that "
                    "other prompts hold too, wherever it sits) but ask different things: a shared passage is never "
                    "a reason to remove a row",
            "groups": len(groups), "rows": sum(len(g["rows"]) for g in groups),
            "examples": [{"rows": len(g["rows"]), "distinct_prompts": g["distinct_prompts"],
                          "distinct_answers": g["distinct_answers"], "passage": g["passage_preview"],
                          "asks": passages.asks(g, 4)} for g in groups[:5]]}


def dedup_figures(records: list[Record], dedup: DedupResult, passages: Passages, gone: set[int], options) -> dict:
    return {"policy": POLICY,
            "tiers": [tier_figures(records, t) for t in dedup.tiers],
            "removed_by_source": removed_by_source(records, dedup),
            "shared_context": context_figures(passages, gone),
            "template_variants": variants_figures(records, dedup, gone, options.template_variants),
            "conflicts": conflicts_figures(records, dedup, gone, options.conflicts)}

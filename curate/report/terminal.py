"""The rich summary printed by `seedling audit` and `seedling curate`: the figures a person
needs to decide, each with its counts; the rest is in audit.json and audit.html."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def show(audit: dict, console: Console) -> None:
    console.print(f"[bold]{audit['rows']}[/] rows: [green]{audit['kept']} kept[/], [red]{audit['removed']} removed[/] "
                  f"(embedder {audit['embedder']['model']}; cache {audit['embedder']['cache']['hits']} hits, "
                  f"{audit['embedder']['cache']['misses']} new)")
    dedup = Table(title="Dedup", title_justify="left")
    for col in ("tier", "checked", "removed", "details"):
        dedup.add_column(col, justify="right" if col in ("checked", "removed") else "left")
    for t in audit["dedup"]["tiers"]:
        details = ", ".join(f"{k}={v}" for k, v in t["details"].items())
        dedup.add_row(t["name"], str(t["checked"]), str(t["removed"]), details)
    console.print(dedup)
    sc, tv, cf = (audit["dedup"][k] for k in ("shared_context", "template_variants", "conflicts"))
    console.print(f"kept on purpose: {sc['groups']} shared-passage groups ({sc['rows']} rows asking different "
                  f"things); {tv['groups']} template-variant groups ({tv['rows']} rows, {tv['policy']}); "
                  f"{cf['groups']} conflicts ({cf['rows']} rows with one prompt and different answers, {cf['policy']})")
    d, c = audit["diversity"]["kept"], audit["clusters"]
    console.print(f"diversity (kept): Vendi {d.get('vendi')} on {d['sampled']} rows, mean cosine distance "
                  f"{d.get('mean_cosine_distance')}, distinct-2 {d.get('distinct_2')}; {c['k']} clusters "
                  f"({c['k_rule']}), largest 3 hold {c['largest_3_share']:.0%}")
    flagged = [x for x in c["clusters"] if x["flag"]]
    for x in flagged[:6]:
        console.print(f"  cluster {x['cluster']} ({escape(', '.join(x['label'][:3]))}): {x['size']} rows, {x['flag']}")
    verbs = ", ".join(f"{k} {v}" for k, v in list(audit["shape"]["leading_verbs"].items())[:8])
    console.print(f"leading verbs: {escape(verbs)}")
    if audit["coverage"]:
        cov = audit["coverage"]
        console.print(f"coverage: {cov['covered']}/{cov['reference_items']} reference items "
                      f"({cov['covered_share']:.0%}) at cosine >= {cov['threshold']}; "
                      f"{len(cov['missed_clusters'])} reference clusters missed")
    bias = Table(title="Bias (rows mentioning; HolisticBias lexicon)", title_justify="left")
    for col in ("axis", "rows", "most mentioned", "max/min", "under-represented"):
        bias.add_column(col)
    for axis, f in audit["bias"]["axes"].items():
        under = f["skew"]["under_represented"]
        bias.add_row(axis, str(f["rows_with_mention"]), str(f["skew"]["max_group"] or ""),
                     str(f["skew"]["max_to_min_nonzero"] or ""), ", ".join(under[:4]) + (" …" if len(under) > 4 else ""))
    console.print(bias)
    p = audit["bias"]["pronouns"]
    console.print(f"pronouns: {p['male']} male, {p['female']} female; "
                  f"sentiment/toxicity: skipped ({audit['bias']['sentiment_toxicity']['why']})")
    q = audit["quality"]
    console.print(f"quality: mean {q['mean']}, {q['flagged_rows']} flagged "
                  f"({', '.join(f'{k} {v}' for k, v in q['flags'].items()) or 'none'}), {q['removed']} removed")
    for name, s in audit.get("scores", {}).get("scorers", {}).items():
        console.print(f"{name}: {s['scored']} rows scored ({s['rows_per_s'] or '-'} rows/s), {s['cached']} from the cache, "
                      f"{s.get('flagged', 0)} flagged")
    if audit.get("selection"):
        s = audit["selection"]
        d = s["diversity"]
        console.print(f"selected {s['chosen']} of {s['candidates']} (cosine < {s['threshold']}; {s['left_similar']} left as "
                      f"too similar); clusters reached {s['coverage']['clusters_reached']}/{s['coverage']['clusters']}; "
                      f"Vendi {d['selected'].get('vendi')} selected vs {d['pool'].get('vendi')} pool")

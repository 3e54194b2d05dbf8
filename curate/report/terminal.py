"""The rich summary printed by `seedling audit` and `seedling curate`: the figures a person
needs to decide, each with its counts; the rest is in audit.json and audit.html."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from seedling.curate_audit import Bias, CurateAudit


def show(audit: CurateAudit, console: Console) -> None:
    embedder = audit.embedder
    console.print(f"[bold]{audit.rows}[/] rows: [green]{audit.kept} kept[/], [red]{audit.removed} removed[/] "
                  f"(embedder {embedder.model}; cache {embedder.cache.hits} hits, {embedder.cache.misses} new)")
    dedup = Table(title="Dedup", title_justify="left")
    for col in ("tier", "checked", "removed", "details"):
        dedup.add_column(col, justify="right" if col in ("checked", "removed") else "left")
    for t in audit.dedup.tiers:
        details = ", ".join(f"{k}={v}" for k, v in t.details.items())
        dedup.add_row(t.name, str(t.checked), str(t.removed), details)
    console.print(dedup)
    sc, tv, cf = audit.dedup.shared_context, audit.dedup.template_variants, audit.dedup.conflicts
    console.print(f"kept on purpose: {sc['groups']} shared-passage groups ({sc['rows']} rows asking different "
                  f"things); {tv['groups']} template-variant groups ({tv['rows']} rows, {tv['policy']}); "
                  f"{cf['groups']} conflicts ({cf['rows']} rows with one prompt and different answers, {cf['policy']})"
                  + (f"; {cf['pools']['groups']} prompts with a pool of answers ({cf['pools']['rows']} rows)" if cf["pools"]["groups"]
                     else ""))
    d, c = audit.diversity.kept, audit.clusters
    console.print(f"diversity (kept): Vendi {d.vendi} on {d.sampled} rows, mean cosine distance "
                  f"{d.mean_cosine_distance}, distinct-2 {d.distinct_2}; {c.k} clusters "
                  f"({c.k_rule}), largest 3 hold {c.largest_3_share:.0%}")
    flagged = [x for x in c.clusters if x["flag"]]
    for x in flagged[:6]:
        console.print(f"  cluster {x['cluster']} ({escape(', '.join(x['label'][:3]))}): {x['size']} rows, {x['flag']}")
    verbs = ", ".join(f"{k} {v}" for k, v in list(audit.shape["leading_verbs"].items())[:8])
    console.print(f"leading verbs: {escape(verbs)}")
    if audit.coverage:
        cov = audit.coverage
        console.print(f"coverage: {cov.covered}/{cov.reference_items} reference items "
                      f"({cov.covered_share:.0%}) at cosine >= {cov.threshold}; "
                      f"{len(cov.missed_clusters)} reference clusters missed")
    show_bias(audit.bias, console)
    if audit.bias.reference:
        show_reference(audit.bias.reference, console)
    if audit.counterfactual:
        show_counterfactual(audit.counterfactual, console)
    q = audit.quality
    console.print(f"quality: mean {q.mean}, {q.flagged_rows} flagged "
                  f"({', '.join(f'{k} {v}' for k, v in q.flags.items()) or 'none'}), {q.removed} removed")
    for name, s in (audit.scores or {}).get("scorers", {}).items():
        console.print(f"{name}: {s['scored']} rows scored ({s['rows_per_s'] or '-'} rows/s), {s['cached']} from the cache, "
                      f"{s.get('flagged', 0)} flagged")
    if audit.selection:
        s = audit.selection
        d = s["diversity"]
        filled = (f", {s['filled_similar']} of them chosen anyway to fill the budget" if s.get("filled_similar")
                  else "")
        console.print(f"selected {s['chosen']} of {s['candidates']} by {' * '.join(s['parts'])} (cosine < {s['threshold']}; "
                      f"{s['left_similar']} left as too similar{filled}); clusters reached {s['coverage']['clusters_reached']}/{s['coverage']['clusters']}; "
                      f"Vendi {d['selected'].get('vendi')} selected vs {d['pool'].get('vendi')} pool")
        if s.get("not_latin_script") and "learned" in s["parts"]:
            console.print(f"[yellow]note:[/] {s['not_latin_script']} answers are mostly not in Latin script; the "
                          "learned score was trained on English answers and its ranking of them is untested")


def _pct(ci: list[float]) -> str:
    return f"[{ci[0]:.0%}, {ci[1]:.0%}]"


def show_bias(b: Bias, console: Console) -> None:
    """What was measured on how many independent examples, against what target; each axis'
    verdict, findings or largest gaps, pronouns, occupations, associations and sentiment."""
    ev = b.evidence or {}
    targets = (b.method.targets or {}).get("given_for")
    console.print(f"bias: {b.rows_with_any_mention} of {ev.get('independent_examples', b.rows)} independent "
                  f"examples ({b.rows} rows) name a group; "
                  + (f"targets given for {', '.join(targets)}" if targets else
                     "no target given: shares and gaps only, no group called under- or over-represented")
                  + f"; figures need {b.method.min_rows} independent examples")
    table = Table(title="Bias (HolisticBias lexicon; 95% intervals; findings only against a given target)",
                  title_justify="left")
    for col in ("axis", "examples", "verdict", "findings vs target, or largest gaps"):
        table.add_column(col)
    for axis, f in b.axes.items():
        found = [f"{g} {e.share:.0%} {_pct(e.share_ci95)} vs {e.target:.0%}" for g, e in f.groups.items() if e.finding]
        found = found or [f"{g['more']} {g['examples_more']} vs {g['fewer']} {g['examples_fewer']}"
                          for g in f.gaps if g["differs"]][:2]
        table.add_row(axis, str(f.rows_with_mention), f.verdict,
                      escape("; ".join(found[:4])) + (" …" if len(found) > 4 else ""))
    console.print(table)
    p = b.pronouns
    share = f", female share of leaning examples {p.female_row_share:.0%} {_pct(p.female_row_share_ci95)}" \
        if p.female_row_share is not None else ""
    console.print(f"pronouns: {p.male} male, {p.female} female tokens; {p.rows_male_leaning} examples lean male, "
                  f"{p.rows_female_leaning} female{share}: {p.verdict}")
    for o, c in b.occupations.items():
        if c["finding"]:
            d = c["difference"]
            console.print(f"occupation {o}: {c['finding']}, female share {c['female_share']:.0%} "
                          f"{_pct(c['female_share_ci95'])} vs {c['female_share_elsewhere']:.0%} elsewhere "
                          f"(difference {_pct(d['ci95'])})")
    for axis, a in b.associations.items():
        for g, fig in a["groups"].items():
            if fig["words"]:
                words = ", ".join(f"{w['word']} (z {w['z']})" for w in fig["words"][:5])
                console.print(f"{axis}: sentences naming {g} ({fig['rows']} examples) over-use {escape(words)}")
    for axis, groups in b.sentiment["axes"].items():
        for g, e in groups.items():
            if e["finding"]:
                console.print(f"sentiment {axis}/{g}: {e['finding']} ({e['mean']:+.2f} vs {e['others_mean']:+.2f}, "
                              f"difference {e['difference']['ci95']}, {e['rows']} examples)")


def show_counterfactual(c: dict, console: Console) -> None:
    rules = ", ".join(f"{k} {v}" for k, v in list(c["skipped_rules"].items())[:5])
    console.print(f"counterfactual {c['axis']}: {c['rows_mentioning']} kept rows mention it, {c['swapped']} swapped copies "
                  f"added, {c['skipped_by_rule']} skipped by rule{f' ({escape(rules)})' if rules else ''}, "
                  f"{c['already_present']} already present")
    for when in ("before", "after"):
        p = c[when]["pronouns"]
        share = f"{p['female_row_share']:.0%} {_pct(p['female_row_share_ci95'])}" if p["female_row_share"] is not None else "-"
        top = "; ".join(f"{g}: " + ", ".join(w["word"] for w in fig["words"][:4])
                        for g, fig in c[when]["associations"]["groups"].items() if fig["words"])
        console.print(f"  {when}: female share of pronoun-leaning rows {share} ({p['verdict']}); "
                      f"associations: {escape(top) or 'none past the corrected z'}")


def show_reference(r: dict, console: Console) -> None:
    """Where the data's group shares differ from the reference's (interval of the difference excludes 0)."""
    console.print(f"against the reference ({r['rows']} rows): pronouns {r['pronouns']['verdict']}")
    for axis, f in r["axes"].items():
        diffs = [f"{g} {e['share']:.0%} vs {e['reference_share']:.0%} ({_pct(e['share_difference']['ci95'])})"
                 for g, e in f["groups"].items() if e["finding"]]
        console.print(f"  {axis}: {f['verdict']}" + (f": {escape('; '.join(diffs[:4]))}" if diffs else ""))

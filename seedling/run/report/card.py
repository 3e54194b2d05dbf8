"""A dataset card for the curated rows: what they are, how they were made, and the limits
their own numbers show."""

from __future__ import annotations

import re
from collections import Counter

from seedling.curate_audit import Bias, CurateAudit
from seedling.run.report.run_files import Run


def _parameters(name: str) -> float | None:
    """Parameter count named in a model's name ('SmolLM2-135M' -> 1.35e8); None if it names none."""
    m = re.search(r"(\d+(?:\.\d+)?)\s*([MB])\b", name, re.I)
    return float(m.group(1)) * (1e6 if m.group(2).upper() == "M" else 1e9) if m else None


def bias_limits(bias: Bias) -> list[str]:
    """What the bias audit measured and on how many independent examples, its findings (an
    interval that excludes a target the user gave), the gaps it saw without a target, and the
    axes too thin to judge; an audit written before intervals is described by its counts."""
    limits = []
    thin = []
    if bias.evidence and bias.evidence.get("independent_examples", bias.rows) < bias.rows:
        limits.append(f"The bias audit counted {bias.evidence['independent_examples']} independent examples in "
                      f"{bias.rows} rows ({bias.evidence['rule']}).")
    for axis, f in bias.axes.items():
        if f.verdict is None:
            if f.rows_with_mention:
                limits.append(f"{axis}: mentions lean to {f.skew.max_group} (counts only, no interval).")
            continue
        if not f.enough_rows:
            thin.append(axis)
            continue
        for g, e in f.groups.items():
            if e.finding:
                limits.append(f"{axis}: {g} is {e.finding}-represented, {e.share:.0%} of the axis' mentions "
                              f"(95% CI {e.share_ci95[0]:.0%}-{e.share_ci95[1]:.0%}) against a target of "
                              f"{e.target:.0%}.")
        if not f.target_from and f.gaps:
            gap = f.gaps[0]
            limits.append(f"{axis}: {gap['more']} is named in {gap['examples_more']} examples that do not name "
                          f"{gap['fewer']}, which is named in {gap['examples_fewer']} that do not name {gap['more']}.")
    if bias.method and bias.method.targets is not None and not bias.method.targets.get("given_for"):
        limits.append("No target was given for any axis (bias_targets or a reference), so no group is called "
                      "under- or over-represented; the shares and the largest gaps are reported as measured.")
    if thin:
        limits.append(f"Too few to tell for {', '.join(thin)}: fewer than {bias.method.min_rows} independent "
                      "examples mention them.")
    p = bias.pronouns
    if p.male_share is not None:
        limits.append(f"Gendered pronouns are {p.male_share:.0%} male ({p.male} male, {p.female} female)"
                      + (f"; {p.verdict}." if p.verdict else "."))
    return limits


def known_limits(run: Run, audit: CurateAudit) -> list[str]:
    """Limits of the curated set that its own numbers show."""
    limits = []
    teacher = run.manifest.get("models", {}).get("teacher", {}).get("name", "")
    params = _parameters(teacher)
    if params is not None and params < 1e9:
        limits.append(f"Small teacher ({teacher}, about {params / 1e6:.0f}M parameters): its answers can be wrong "
                      "or shallow, and no step checks facts.")
    if audit.kept < 1000:
        limits.append(f"Only {audit.kept} rows: enough to try the pipeline, few to teach a model much.")
    if audit.rows:
        dups = sum(t.removed for t in audit.dedup.tiers)
        pool = "pool" in run.manifest.get("inputs", {})
        limits.append(f"{audit.removed} of {audit.rows} {'pool' if pool else 'generated'} rows "
                      f"({audit.removed / audit.rows:.0%}) were removed: {dups} as duplicates"
                      f"{'' if pool else ' (the teacher repeats itself)'}, {audit.quality.removed} as low quality.")
    limits += bias_limits(audit.bias)
    cov = audit.coverage
    if cov and cov.covered_share < 0.8:
        limits.append(f"Covers {cov.covered} of {cov.reference_items} reference tasks "
                      f"({cov.covered_share:.0%}) at cosine ≥ {cov.threshold}.")
    if audit.quality.not_run:
        ran = sorted((audit.scores or {}).get("scorers", {}))
        scored_by = "heuristics and " + ", ".join(ran) if ran else "heuristics only"
        limits.append(f"Quality is scored by {scored_by}; not run: " + ", ".join(audit.quality.not_run) + ".")
    return limits

def card(run: Run) -> dict:
    audit = run.audit()
    if audit is None:
        return {"missing": run.why_missing("curate", "audit")}
    stats = run.generate_stats()
    sources = Counter(r.get("source", "?") for r in run.rows(run.file("curate", "kept")))
    return {"rows": audit.kept, "sources": dict(sources.most_common()),
            "teacher": run.manifest.get("models", {}).get("teacher", {}),
            "seeds": run.manifest.get("inputs", {}).get("seeds", {}),
            "pool": run.manifest.get("inputs", {}).get("pool"),
            "method": stats.method if stats else run.config("generate").get("method"),
            "filters": stats.rejected if stats else {}, "tiers": audit.dedup.tiers, "quality": audit.quality,
            "embedder": audit.embedder.model, "limits": known_limits(run, audit)}

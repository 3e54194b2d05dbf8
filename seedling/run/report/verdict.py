"""Did curation help? Base vs raw-data vs curated-data student on the same held-out set,
paired per example, and the one sentence the summary opens with."""

from __future__ import annotations

from seedling.artifacts import (
    Checks,
    Difference,
    HeldOutNLL,
    Interval,
    PairedDiff,
    SideNLL,
)
from seedling.run.report import figures
from seedling.run.report.formatting import duration
from seedling.run.report.run_files import CURATED, RAW, Run
from seedling.run.report.selection import call, matched, paired, paired_over_seeds


def _interval(d: Interval) -> str:
    """'+0.012 to +0.034, n = 18', or why there is none."""
    if not d.ci95:
        return f"no interval from n = {d.n}"
    return f"{d.ci95[0]:+.3f} to {d.ci95[1]:+.3f}, n = {d.n}"


def _differs(d: Difference) -> bool:
    """The 95% interval excludes 0 (worked out from the interval for eval files that predate `differs`)."""
    if d.differs is not None:
        return d.differs
    return bool(d.ci95) and d.n >= 2 and (d.ci95[0] > 0 or d.ci95[1] < 0)

def _model(key: str, label: str, nll: HeldOutNLL, side: str, checks: Checks | None) -> dict:
    figs: SideNLL | None = getattr(nll, side)
    diff = nll.difference if side == "student" else None
    return {"key": key, "label": label, "nll_per_token": figs and figs.nll_per_token,
            "perplexity": figs and figs.perplexity, "mean": figs and figs.per_example.mean,
            "ci95": figs and figs.per_example.ci95, "improved": diff and diff.improved, "diff": diff, "n": nll.n,
            "checks": checks and getattr(checks, side), "constraints": checks and checks.constraints}

def _verdict(nll: HeldOutNLL, models: dict, versus_raw: PairedDiff | None, raw_missing: str | None) -> tuple[str, str]:
    """One sentence and its tone (good, bad, neutral): did curation help, with the counts."""
    base, cur, raw = models["base"], models["curated"], models.get("raw")
    n = cur["n"]
    if not n or cur["nll_per_token"] is None:
        return "neutral", (f"The held-out NLL was not computed ({nll.skipped or 'no reason recorded'}), "
                           "so there is no verdict.")
    scores = f"the curated-data student scores {cur['nll_per_token']:.3f} NLL per token"
    if raw is None or raw["nll_per_token"] is None:
        d = cur["diff"]
        tone = ("good" if d.mean < 0 else "bad") if _differs(d) else "neutral"
        return (tone, f"On {n} held-out examples {scores} against {base['nll_per_token']:.3f} for the base model "
                f"(better on {d.improved} of {d.n}; per example {d.mean:+.3f}, 95% CI {_interval(d)}"
                f"{'' if _differs(d) else ': no clear difference'}). Curated vs raw data: not run, {raw_missing}.")
    against = (f"against {raw['nll_per_token']:.3f} for the raw-data student and {base['nll_per_token']:.3f} "
               "for the base model")
    if versus_raw is None or not versus_raw.ci95:
        lower = cur["nll_per_token"] < raw["nll_per_token"]
        return ("neutral", f"{'Curated data scored lower' if lower else 'Curated data did not score lower'} "
                f"(no per-example scores to test it): on {n} held-out examples {scores} {against}.")
    tone, word = (("good", "Curation helped") if versus_raw.mean < 0 else ("bad", "Curation hurt")) \
        if versus_raw.differs else ("neutral", "No clear difference from curation")
    return tone, (f"{word}: on {versus_raw.n} held-out examples {scores} {against}; curated minus raw per example "
                  f"{versus_raw.mean:+.3f} (95% CI {_interval(versus_raw)}), curated better on {versus_raw.better} "
                  f"of {versus_raw.n}{_smallest(versus_raw)}.")


def _smallest(d: PairedDiff) -> str:
    """What the held-out set's size could have shown at all."""
    if d.detectable is None:
        return ""
    return (f"; with this n and spread only a difference of about {d.detectable:.3f} or more would be found "
            "reliably (80 % power)")

def comparison(run: Run) -> dict:
    cur = run.eval(CURATED)
    if cur is None:
        return {"missing": run.why_missing(CURATED, "eval")}
    raw = run.eval(RAW)
    raw_missing = None if raw else (
        "run.compare_raw is off in the config" if run.config("run").get("compare_raw") is False
        else run.why_missing(RAW, "eval"))
    models = {"base": _model("base", "base model", cur.nll, "base", cur.checks),
              "curated": _model("curated", "curated-data student", cur.nll, "student", cur.checks)}
    if raw:
        models["raw"] = _model("raw", "raw-data student", raw.nll, "student", raw.checks)
    pairs = [{"id": i, "curated": c, "raw": r} for i, c, r in matched(cur.nll.per_example, raw.nll.per_example)] \
        if raw else []
    difference = paired(cur.nll.per_example, raw.nll.per_example) if raw else None
    seeded = paired_over_seeds(cur, raw) if difference else None
    if seeded:  # examples averaged over the seeds; a difference must hold at each and exceed their spread
        difference = seeded.model_copy(update={"differs": call("a", "b", seeded) in ("a better", "b better")})
    tone, sentence = _verdict(cur.nll, models, difference, raw_missing)
    if raw and raw.data.fingerprint == cur.data.fingerprint:
        tone, sentence = "neutral", ("Curation removed no row the students could train on, so both trained on the "
                                     "same data and any difference is noise. " + sentence)
    shown = [models[k] for k in ("base", "raw", "curated") if k in models and models[k]["nll_per_token"] is not None]
    data = [{"label": label, **ev.data.model_dump()}
            for label, ev in (("curated-data student", cur), ("raw-data student", raw)) if ev]
    return {"models": [models[k] for k in ("base", "raw", "curated") if k in models], "paired": difference,
            "tone": tone, "verdict": sentence, "raw_missing": raw_missing, "data": data,
            "fig_nll": figures.nll_bars(shown) if shown else None,
            "fig_pairs": figures.paired_scatter(pairs) if difference else None}

def summary(run: Run, compared: dict) -> dict:
    stages = run.manifest.get("stages", {})
    audit, stats = run.audit(), run.generate_stats()
    tone, sentence = compared.get("tone", "neutral"), compared.get("verdict")
    if "missing" in compared:
        sentence = " ".join([f"No student was trained: {compared['missing']}.",
                             *([f"The teacher produced {stats.accepted} rows."] if stats else []),
                             *([f"Curation kept {audit.kept} of {audit.rows}."] if audit else [])])
    return {"tone": tone, "verdict": sentence, "stages": stages, "machine": run.manifest.get("machine", {}),
            "wall": duration(sum(s.get("wall_s") or 0 for s in stages.values()) if stages else None),
            "models": compared.get("models", []), "paired": compared.get("paired"),
            "generated": stats and stats.accepted, "kept": audit and audit.kept,
            "curate_rows": audit and audit.rows}


def judged(run: Run) -> list[str]:
    """The judge step's sentence for each pair of students it compared; none without a judge."""
    from seedling.artifacts import Judged
    from seedling.run.judging import JUDGED

    return [Judged.model_validate(pair).line for pair in (run.json(JUDGED) or {}).values()]

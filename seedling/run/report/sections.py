"""The report's sections between the summary and the card: each reads its stage's files and
returns what the template shows, or why that part did not run."""

from __future__ import annotations

import statistics
from itertools import islice

import yaml

from seedling.run.report import figures
from seedling.run.report.run_files import CURATED, RAW, Run
from seedling.run.rounds import ROUNDS, Round, RoundsFile
from seedling.run.split import HELD_OUT, SEEDS

NO_CHANGE = 0.02  # relative change in diversity below which steering counts as no change


def _count_rows(run: Run, rel: str) -> int | None:
    return sum(1 for _ in run.rows(rel)) if run.exists(rel) else None

def inputs(run: Run) -> dict:
    if not run.manifest:
        return {"missing": "manifest.json is absent"}
    m = run.manifest
    split = m.get("stages", {}).get("split", {}).get("summary") or {}
    held_out = {"path": HELD_OUT, "from": split.get("held_out_from"), **m.get("inputs", {}).get("eval_file", {})}
    pool = m.get("inputs", {}).get("pool")
    return {"seeds": pool or m.get("inputs", {}).get("seeds", {}), "pool": pool is not None, "held_out": held_out,
            "split": {"seeds": _count_rows(run, SEEDS), "held_out": _count_rows(run, HELD_OUT)},
            "models": m.get("models", {}), "packages": m.get("packages", {}), "machine": m.get("machine", {}),
            "config_file": m.get("config_file"), "created": m.get("created"), "updated": m.get("updated"),
            "config": yaml.safe_dump(m.get("config", {}), sort_keys=False, allow_unicode=True)}

def generation(run: Run) -> dict:
    stats = run.generate_stats()
    if stats is None:
        return {"missing": run.why_missing("generate", "stats")}
    rejected = sum(stats.rejected.values())
    tried = stats.accepted + rejected
    return {"stats": stats, "rejected_total": rejected, "accept_share": stats.accepted / tried if tried else None,
            "examples": list(islice(run.rows(run.file("generate", "rows")), 4)),
            "fig": figures.rejections(stats.rejected)}

def _mean(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None

def steering_effect(rounds: list[Round]) -> str:
    """Plainly: did the steered rounds add wider rows than the unsteered first round?"""
    steered = [p for p in rounds[1:] if p.steered]
    if not steered:
        return "One unsteered round only: there is no steered round to compare with."
    first = rounds[0].new_rows
    before, after = first.vendi_per_row, _mean([p.new_rows.vendi_per_row for p in steered])
    if before is None or after is None or before == 0:
        return "The rounds carry no Vendi scores, so the effect of steering cannot be told."
    change = (after - before) / before
    word = "widened" if change > NO_CHANGE else "narrowed" if change < -NO_CHANGE else "did not change"
    dist = (first.mean_cosine_distance, _mean([p.new_rows.mean_cosine_distance for p in steered]))
    text = (f"Steering {word} the data: the steered rounds' new rows have a Vendi score per row of {after:.3f} on "
            f"average against {before:.3f} for round 1's unsteered rows ({change:+.1%}; under ±{NO_CHANGE:.0%} "
            "counts as no change)")
    if None not in dist:
        text += f"; mean cosine distance {dist[1]:.3f} against {dist[0]:.3f}"
    cover = [p.all_rows.coverage_share for p in (rounds[0], rounds[-1])]
    if None not in cover:
        text += (f". Coverage of the seed tasks went from {cover[0]:.0%} after round 1 to {cover[1]:.0%} "
                 f"after round {rounds[-1].round}")
    return text + "."

def rounds(run: Run) -> dict:
    data = run.json(ROUNDS)
    if data is None:
        if not run.exists(run.file("generate", "stats")):
            return {"missing": run.why_missing("generate", "stats")}
        n = run.config("run").get("rounds", 1)
        return {"missing": f"rounds.json is absent: generation ran in {n} round{'s' if n != 1 else ''}, "
                           "without coverage-guided steering"}
    rounds = RoundsFile.model_validate(data).rounds
    hints = [{"round": p.round, "hints": prev.hints_next, "file": p.steering_used}
             for prev, p in zip(rounds, rounds[1:]) if p.steered]
    generate = run.config("generate")
    return {"rounds": rounds, "hints": hints, "effect": steering_effect(rounds), "fig": figures.rounds(rounds),
            "steer_hints": generate.get("steer_hints", "–"), "regions": steered_regions(rounds),
            "chose": [p for p in rounds if p.chosen_among],
            "dropped": [{"round": p.round, "hints": p.hints_dropped} for p in rounds if p.hints_dropped]}


def steered_regions(rounds: list[Round]) -> list[dict]:
    """For each steered round, each region it was steered toward: the hint, the region's seed
    tasks, the rows made under the hint, and the rows whose nearest seed task is in the region
    before and after the round."""
    out = []
    for prev, p in zip(rounds, rounds[1:]):
        used = {e.hint: e for e in p.hints_used}
        for region in prev.regions_next:
            e = used.get(region.hint)
            out.append({"round": p.round, "hint": region.hint, "seed_examples": region.seed_examples[:3],
                        "rows_made": e.rows if e else 0, "landed_before": region.rows_landed,
                        "landed_after": e.rows_landed if e else None, "narrowed": bool(e and e.narrowed)})
    return out

def _removed_examples(run: Run, per_reason: int = 2, most: int = 8) -> list[dict]:
    """A few removed rows of each reason, each beside the kept row it duplicates."""
    picked: dict[str, list[dict]] = {}
    for row in run.rows(run.file("curate", "removed")):
        group = picked.setdefault(row.get("removed_by", "?"), [])
        if len(group) < per_reason:
            group.append(row)
    chosen = [row for group in picked.values() for row in group][:most]
    wanted = {row["dup_of"] for row in chosen if row.get("dup_of")}
    kept = {row["id"]: row for row in run.rows(run.file("curate", "kept")) if row["id"] in wanted}
    return [{"row": row, "kept": kept.get(row.get("dup_of"))} for row in chosen]

def curation(run: Run) -> dict:
    audit = run.audit()
    if audit is None:
        return {"missing": run.why_missing("curate", "audit")}
    by_reason = {f"{t.name} duplicate": t.removed for t in audit.dedup.tiers if t.removed}
    if audit.quality.removed:
        by_reason["low quality"] = audit.quality.removed
    return {"audit": audit, "by_reason": by_reason, "examples": _removed_examples(run),
            "audit_html": run.file("curate", "audit_page") if run.exists(run.file("curate", "audit_page")) else None,
            "fig": figures.removals(by_reason)}

def diversity(run: Run) -> dict:
    audit = run.audit()
    if audit is None:
        return {"missing": run.why_missing("curate", "audit")}
    return {"diversity": audit.diversity, "coverage": audit.coverage, "bias": audit.bias,
            "fig": figures.bias_mentions(audit.bias.axes)}

def _students(run: Run) -> dict[str, dict]:
    out = {}
    for key, stage in (("curated", CURATED), ("raw", RAW)):
        ev = run.eval(stage)
        metrics = list(run.rows(run.file(stage, "metrics")))
        if ev or metrics:
            out[key] = {"eval": ev, "metrics": metrics}
    return out

def training(run: Run, raw_missing: str | None) -> dict:
    students = _students(run)
    if not students:
        return {"missing": run.why_missing(CURATED, "metrics")}
    return {"students": {k: {**(s["eval"].train.model_dump() if s["eval"] else {}),
                             "data": s["eval"].data.model_dump() if s["eval"] else {},
                             "logged": len(s["metrics"])} for k, s in students.items()},
            "raw_missing": raw_missing if "raw" not in students else None,
            "fig": figures.losses({k: s["metrics"] for k, s in students.items()})}

def samples(run: Run, raw_missing: str | None) -> dict:
    cur = run.eval(CURATED)
    if cur is None:
        return {"missing": run.why_missing(CURATED, "eval")}
    raw_eval = run.eval(RAW)
    raw = {s.id: s.student for s in raw_eval.samples} if raw_eval else {}
    return {"rows": [{**s.model_dump(), "raw": raw.get(s.id)} for s in cur.samples],
            "raw_missing": raw_missing}

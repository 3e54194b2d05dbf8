"""report.html: one self-contained page that answers "did the data and the tuning help?".

It reads only the files the stages leave in the run directory (JSON, JSONL), so the core
needs no stage package; a part the run did not reach becomes a "not run" note with the
reason, never an error. Plotly's JS is inlined once: the page opens offline.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Any, Iterator

import jinja2
import plotly.offline
import yaml
from markupsafe import Markup

from seedling.formats.atomic import write_text
from seedling.run import report_figures as figures

TEMPLATE = Path(__file__).with_name("report.html.j2")
NAME = "report.html"
CURATED, RAW = "tune", "compare-raw/tune"
NO_CHANGE = 0.02  # relative change in diversity below which steering counts as no change
STATUS = {"failed": "failed", "running": "is still running, or was interrupted", "skipped": "was skipped",
          "pending": "has not run yet"}


class Run:
    """The run directory as the report reads it: each JSON file parsed once, absent ones None."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._cache: dict[str, Any] = {}
        self.manifest: dict = self.json("manifest.json") or {}

    def json(self, rel: str) -> Any:
        if rel not in self._cache:
            path = self.root / rel
            self._cache[rel] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        return self._cache[rel]

    def rows(self, rel: str) -> Iterator[dict]:
        """A JSONL file's rows, streamed (a generated file can be large); none if it is absent."""
        path = self.root / rel
        if path.is_file():
            with open(path, encoding="utf-8") as f:
                yield from (json.loads(line) for line in f if line.strip())

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def config(self, section: str) -> dict:
        return self.manifest.get("config", {}).get(section) or {}

    def why_missing(self, stage: str, rel: str) -> str:
        """Why a stage's file is absent, from the manifest's step status where it has one."""
        info = self.manifest.get("stages", {}).get(stage) or {}
        status, detail = info.get("status"), info.get("error") or info.get("reason")
        if status and status != "done":
            return f"the {stage} step {STATUS.get(status, status)}" + (f": {detail}" if detail else "")
        return f"the run stopped before the {stage} step ({rel} is absent)"


def _per_example_stats(values: list[float]) -> dict:
    """Mean with a 95% CI of mean ± 1.96 SE: the same rule tune uses for its own CIs."""
    n, mean = len(values), statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(n) if n > 1 else 0.0
    return {"n": n, "mean": mean, "se": se, "ci95": [mean - 1.96 * se, mean + 1.96 * se]}


def paired_difference(curated: list[dict], raw: list[dict]) -> dict | None:
    """Curated minus raw student, per held-out example matched by id: below 0 curated is better."""
    raw_by_id = {e["id"]: e["student"] for e in raw}
    pairs = [{"id": e["id"], "curated": e["student"], "raw": raw_by_id[e["id"]]}
             for e in curated if e["id"] in raw_by_id]
    if not pairs:
        return None
    diffs = [p["curated"] - p["raw"] for p in pairs]
    return {**_per_example_stats(diffs), "pairs": pairs,
            "better": sum(d < 0 for d in diffs), "worse": sum(d > 0 for d in diffs)}


def _model(key: str, label: str, nll: dict, side: str, checks: dict | None) -> dict:
    figs = nll.get(side) or {}
    per_example = figs.get("per_example") or {}
    diff = nll.get("difference") if side == "student" else None
    return {"key": key, "label": label, "nll_per_token": figs.get("nll_per_token"),
            "perplexity": figs.get("perplexity"), "mean": per_example.get("mean"), "ci95": per_example.get("ci95"),
            "improved": diff and diff.get("improved"), "diff": diff, "n": nll.get("n"),
            "checks": checks and checks.get(side), "constraints": checks and checks.get("constraints")}


def _verdict(nll: dict, models: dict, paired: dict | None, raw_missing: str | None) -> tuple[str, str]:
    """One sentence and its tone (good, bad, neutral): did curation help, with the counts."""
    base, cur, raw = models["base"], models["curated"], models.get("raw")
    n = cur["n"]
    if not n or cur["nll_per_token"] is None:
        return "neutral", (f"The held-out NLL was not computed ({nll.get('skipped', 'no reason recorded')}), "
                           "so there is no verdict.")
    scores = f"the curated-data student scores {cur['nll_per_token']:.3f} NLL per token"
    if raw is None or raw["nll_per_token"] is None:
        d = cur["diff"]
        return ("good" if d["ci95"][1] < 0 else "bad" if d["ci95"][0] > 0 else "neutral",
                f"On {n} held-out examples {scores} against {base['nll_per_token']:.3f} for the base model "
                f"(better on {d['improved']} of {d['n']}; per example {d['mean']:+.3f}, 95% CI {d['ci95'][0]:+.3f} "
                f"to {d['ci95'][1]:+.3f}). Curated vs raw data: not run, {raw_missing}.")
    against = (f"against {raw['nll_per_token']:.3f} for the raw-data student and {base['nll_per_token']:.3f} "
               "for the base model")
    if paired is None or paired["n"] < 2:
        lower = cur["nll_per_token"] < raw["nll_per_token"]
        return ("neutral", f"{'Curated data scored lower' if lower else 'Curated data did not score lower'} "
                f"(no per-example scores to test it): on {n} held-out examples {scores} {against}.")
    lo, hi = paired["ci95"]
    tone, word = ("good", "Curation helped") if hi < 0 else ("bad", "Curation hurt") if lo > 0 else \
        ("neutral", "No clear difference from curation")
    return tone, (f"{word}: on {paired['n']} held-out examples {scores} {against}; curated minus raw per example "
                  f"{paired['mean']:+.3f} (95% CI {lo:+.3f} to {hi:+.3f}), curated better on {paired['better']} "
                  f"of {paired['n']}.")


def comparison(run: Run) -> dict:
    cur = run.json(f"{CURATED}/eval.json")
    if cur is None:
        return {"missing": run.why_missing("tune", f"{CURATED}/eval.json")}
    raw = run.json(f"{RAW}/eval.json")
    raw_missing = None if raw else (
        "run.compare_raw is off in the config" if run.config("run").get("compare_raw") is False
        else run.why_missing("compare-raw", f"{RAW}/eval.json"))
    models = {"base": _model("base", "base model", cur["nll"], "base", cur.get("checks")),
              "curated": _model("curated", "curated-data student", cur["nll"], "student", cur.get("checks"))}
    if raw:
        models["raw"] = _model("raw", "raw-data student", raw["nll"], "student", raw.get("checks"))
    per_example = (cur["nll"].get("per_example"), raw and raw["nll"].get("per_example"))
    paired = paired_difference(*per_example) if all(isinstance(p, list) for p in per_example) else None
    tone, sentence = _verdict(cur["nll"], models, paired, raw_missing)
    if raw and raw["data"].get("fingerprint") == cur["data"].get("fingerprint"):
        tone, sentence = "neutral", ("Curation removed no row the students could train on, so both trained on the "
                                     "same data and any difference is noise. " + sentence)
    shown = [models[k] for k in ("base", "raw", "curated") if k in models and models[k]["nll_per_token"] is not None]
    data = [{"label": label, **ev["data"]}
            for label, ev in (("curated-data student", cur), ("raw-data student", raw)) if ev]
    return {"models": [models[k] for k in ("base", "raw", "curated") if k in models], "paired": paired,
            "tone": tone, "verdict": sentence, "raw_missing": raw_missing, "data": data,
            "fig_nll": figures.nll_bars(shown) if shown else None,
            "fig_pairs": figures.paired_scatter(paired["pairs"]) if paired else None}


def _duration(seconds: float | None) -> str:
    if seconds is None or isinstance(seconds, jinja2.Undefined):
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, s = divmod(round(seconds), 60)
    return f"{minutes} min {s:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def summary(run: Run, compared: dict) -> dict:
    stages = run.manifest.get("stages", {})
    audit, stats = run.json("curate/audit.json"), run.json("generate/stats.json")
    tone, sentence = compared.get("tone", "neutral"), compared.get("verdict")
    if "missing" in compared:
        sentence = " ".join([f"No student was trained: {compared['missing']}.",
                             *([f"The teacher produced {stats['accepted']} rows."] if stats else []),
                             *([f"Curation kept {audit['kept']} of {audit['rows']}."] if audit else [])])
    return {"tone": tone, "verdict": sentence, "stages": stages, "machine": run.manifest.get("machine", {}),
            "wall": _duration(sum(s.get("wall_s") or 0 for s in stages.values()) if stages else None),
            "models": compared.get("models", []), "paired": compared.get("paired"),
            "generated": stats and stats["accepted"], "kept": audit and audit["kept"],
            "curate_rows": audit and audit["rows"]}


def _count_rows(run: Run, rel: str) -> int | None:
    return sum(1 for _ in run.rows(rel)) if run.exists(rel) else None


def inputs(run: Run) -> dict:
    if not run.manifest:
        return {"missing": "manifest.json is absent"}
    m = run.manifest
    split = m.get("stages", {}).get("split", {}).get("summary") or {}
    held_out = {"path": "split/held_out.jsonl", "from": split.get("held_out_from"), **m.get("inputs", {}).get("eval_file", {})}
    return {"seeds": m.get("inputs", {}).get("seeds", {}), "held_out": held_out,
            "split": {"seeds": _count_rows(run, "split/seeds.jsonl"),
                      "held_out": _count_rows(run, "split/held_out.jsonl")},
            "models": m.get("models", {}), "packages": m.get("packages", {}), "machine": m.get("machine", {}),
            "config_file": m.get("config_file"), "created": m.get("created"), "updated": m.get("updated"),
            "config": yaml.safe_dump(m.get("config", {}), sort_keys=False, allow_unicode=True)}


def generation(run: Run) -> dict:
    stats = run.json("generate/stats.json")
    if stats is None:
        return {"missing": run.why_missing("generate", "generate/stats.json")}
    rejected = sum(stats.get("rejected", {}).values())
    tried = stats["accepted"] + rejected
    return {"stats": stats, "rejected_total": rejected, "accept_share": stats["accepted"] / tried if tried else None,
            "examples": list(islice(run.rows("generate/generated.jsonl"), 4)),
            "fig": figures.rejections(stats.get("rejected", {}))}


def _mean(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def steering_effect(phases: list[dict]) -> str:
    """Plainly: did the steered phases add wider rows than the unsteered first phase?"""
    steered = [p for p in phases[1:] if p.get("steered")]
    if not steered:
        return "One unsteered phase only: there is no steered phase to compare with."
    first = phases[0].get("new_rows", {})
    before, after = first.get("vendi_per_row"), _mean([p.get("new_rows", {}).get("vendi_per_row") for p in steered])
    if before is None or after is None or before == 0:
        return "The phases carry no Vendi scores, so the effect of steering cannot be told."
    change = (after - before) / before
    word = "widened" if change > NO_CHANGE else "narrowed" if change < -NO_CHANGE else "did not change"
    dist = (first.get("mean_cosine_distance"),
            _mean([p.get("new_rows", {}).get("mean_cosine_distance") for p in steered]))
    text = (f"Steering {word} the data: the steered phases' new rows have a Vendi score per row of {after:.3f} on "
            f"average against {before:.3f} for phase 1's unsteered rows ({change:+.1%}; under ±{NO_CHANGE:.0%} "
            "counts as no change)")
    if None not in dist:
        text += f"; mean cosine distance {dist[1]:.3f} against {dist[0]:.3f}"
    cover = [p.get("all_rows", {}).get("coverage_share") for p in (phases[0], phases[-1])]
    if None not in cover:
        text += (f". Coverage of the seed tasks went from {cover[0]:.0%} after phase 1 to {cover[1]:.0%} "
                 f"after phase {phases[-1]['phase']}")
    return text + "."


def rounds(run: Run) -> dict:
    data = run.json("rounds.json")
    if data is None:
        if not run.exists("generate/stats.json"):
            return {"missing": run.why_missing("generate", "rounds.json")}
        phases = run.config("run").get("rounds", 1)
        return {"missing": f"rounds.json is absent: generation ran in {phases} phase{'s' if phases != 1 else ''}, "
                           "without coverage-guided steering"}
    phases = data["phases"]
    hints = [{"phase": p["phase"], "hints": prev.get("hints_next") or [], "file": p.get("steering_used")}
             for prev, p in zip(phases, phases[1:]) if p.get("steered")]
    return {"phases": phases, "hints": hints, "effect": steering_effect(phases), "fig": figures.rounds(phases),
            "steer_hints": run.config("generate").get("steer_hints", "–")}


def _removed_examples(run: Run, per_reason: int = 2, most: int = 8) -> list[dict]:
    """A few removed rows of each reason, each beside the kept row it duplicates."""
    picked: dict[str, list[dict]] = {}
    for row in run.rows("curate/removed.jsonl"):
        group = picked.setdefault(row.get("removed_by", "?"), [])
        if len(group) < per_reason:
            group.append(row)
    chosen = [row for group in picked.values() for row in group][:most]
    wanted = {row["dup_of"] for row in chosen if row.get("dup_of")}
    kept = {row["id"]: row for row in run.rows("curate/kept.jsonl") if row["id"] in wanted}
    return [{"row": row, "kept": kept.get(row.get("dup_of"))} for row in chosen]


def curation(run: Run) -> dict:
    audit = run.json("curate/audit.json")
    if audit is None:
        return {"missing": run.why_missing("curate", "curate/audit.json")}
    by_reason = {f"{t['name']} duplicate": t["removed"] for t in audit["dedup"]["tiers"] if t["removed"]}
    if audit["quality"].get("removed"):
        by_reason["low quality"] = audit["quality"]["removed"]
    return {"audit": audit, "by_reason": by_reason, "examples": _removed_examples(run),
            "audit_html": "curate/audit.html" if run.exists("curate/audit.html") else None,
            "fig": figures.removals(by_reason)}


def diversity(run: Run) -> dict:
    audit = run.json("curate/audit.json")
    if audit is None:
        return {"missing": run.why_missing("curate", "curate/audit.json")}
    return {"diversity": audit["diversity"], "coverage": audit.get("coverage"), "bias": audit["bias"],
            "fig": figures.bias_mentions(audit["bias"]["axes"])}


def _students(run: Run) -> dict[str, dict]:
    out = {}
    for key, prefix in (("curated", CURATED), ("raw", RAW)):
        ev = run.json(f"{prefix}/eval.json")
        metrics = list(run.rows(f"{prefix}/metrics.jsonl"))
        if ev or metrics:
            out[key] = {"eval": ev, "metrics": metrics}
    return out


def training(run: Run, raw_missing: str | None) -> dict:
    students = _students(run)
    if not students:
        return {"missing": run.why_missing("tune", f"{CURATED}/metrics.jsonl")}
    return {"students": {k: {**(s["eval"] or {}).get("train", {}), "data": (s["eval"] or {}).get("data", {}),
                             "logged": len(s["metrics"])} for k, s in students.items()},
            "raw_missing": raw_missing if "raw" not in students else None,
            "fig": figures.losses({k: s["metrics"] for k, s in students.items()})}


def samples(run: Run, raw_missing: str | None) -> dict:
    cur = run.json(f"{CURATED}/eval.json")
    if cur is None:
        return {"missing": run.why_missing("tune", f"{CURATED}/eval.json")}
    raw = {s["id"]: s for s in (run.json(f"{RAW}/eval.json") or {}).get("samples", [])}
    return {"rows": [{**s, "raw": raw[s["id"]]["student"] if s["id"] in raw else None} for s in cur.get("samples", [])],
            "raw_missing": raw_missing}


def _parameters(name: str) -> float | None:
    """Parameter count named in a model's name ('SmolLM2-135M' -> 1.35e8); None if it names none."""
    m = re.search(r"(\d+(?:\.\d+)?)\s*([MB])\b", name, re.I)
    return float(m.group(1)) * (1e6 if m.group(2).upper() == "M" else 1e9) if m else None


def known_limits(run: Run, audit: dict) -> list[str]:
    """Limits of the curated set that its own numbers show."""
    limits = []
    teacher = run.manifest.get("models", {}).get("teacher", {}).get("name", "")
    params = _parameters(teacher)
    if params is not None and params < 1e9:
        limits.append(f"Small teacher ({teacher}, about {params / 1e6:.0f}M parameters): its answers can be wrong "
                      "or shallow, and no step checks facts.")
    if audit["kept"] < 1000:
        limits.append(f"Only {audit['kept']} rows: enough to try the pipeline, few to teach a model much.")
    if audit["rows"]:
        dups = sum(t["removed"] for t in audit["dedup"]["tiers"])
        limits.append(f"{audit['removed']} of {audit['rows']} generated rows ({audit['removed'] / audit['rows']:.0%}) "
                      f"were removed: {dups} as duplicates (the teacher repeats itself), "
                      f"{audit['quality'].get('removed', 0)} as low quality.")
    for axis, f in audit["bias"]["axes"].items():
        skew = f["skew"]
        if not f["rows_with_mention"]:
            continue
        ratio = skew.get("max_to_min_nonzero") or 1
        lean = (f"mentions lean to {skew['max_group']} ({ratio:g}x the least-mentioned group that appears)"
                if ratio > 1 else "the groups that appear are mentioned equally often")
        never = f"; never mentioned: {', '.join(skew['under_represented'][:6])}" if skew["under_represented"] else ""
        limits.append(f"{axis}: {lean}{never}.")
    share = audit["bias"]["pronouns"].get("male_share")
    if share is not None:
        limits.append(f"Gendered pronouns are {share:.0%} male ({audit['bias']['pronouns']['male']} male, "
                      f"{audit['bias']['pronouns']['female']} female).")
    cov = audit.get("coverage")
    if cov and cov["covered_share"] < 0.8:
        limits.append(f"Covers {cov['covered']} of {cov['reference_items']} reference tasks "
                      f"({cov['covered_share']:.0%}) at cosine ≥ {cov['threshold']}.")
    if audit["quality"].get("not_run"):
        limits.append("Quality is scored by heuristics only; not run: " + ", ".join(audit["quality"]["not_run"]) + ".")
    return limits


def card(run: Run) -> dict:
    audit = run.json("curate/audit.json")
    if audit is None:
        return {"missing": run.why_missing("curate", "curate/kept.jsonl")}
    stats = run.json("generate/stats.json") or {}
    sources = Counter(r.get("source", "?") for r in run.rows("curate/kept.jsonl"))
    return {"rows": audit["kept"], "sources": dict(sources.most_common()),
            "teacher": run.manifest.get("models", {}).get("teacher", {}),
            "seeds": run.manifest.get("inputs", {}).get("seeds", {}),
            "method": stats.get("method") or run.config("generate").get("method"),
            "filters": stats.get("rejected", {}), "tiers": audit["dedup"]["tiers"], "quality": audit["quality"],
            "embedder": audit.get("embedder", {}).get("model"), "limits": known_limits(run, audit)}


def _fmt(value: Any, digits: int = 3) -> str:
    """Numbers for people: thousands separated, floats to a few significant decimals."""
    if value is None or isinstance(value, jinja2.Undefined):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}" if abs(value) < 1000 else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "–" if value is None or isinstance(value, jinja2.Undefined) else f"{value * 100:.1f} %"


def render(run_dir: Path) -> str:
    run = Run(run_dir)
    compared = comparison(run)
    raw_missing = compared.get("raw_missing")
    sections = {"summary": summary(run, compared), "inputs": inputs(run), "generation": generation(run),
                "rounds": rounds(run), "curation": curation(run), "diversity": diversity(run),
                "training": training(run, raw_missing), "comparison": compared,
                "samples": samples(run, raw_missing), "card": card(run)}
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.ChainableUndefined)
    env.filters.update(fmt=_fmt, pct=_pct, duration=_duration)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    title = run.config("run").get("name") or run.root.name
    return template.render(s=sections, title=title, plotly_js=Markup(plotly.offline.get_plotlyjs()))


def write_report(run_dir: Path) -> Path:
    path = Path(run_dir) / NAME
    write_text(path, render(run_dir))
    return path

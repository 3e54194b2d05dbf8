"""What a tune run leaves for people: eval.json, eval.md, a loss curve and a model card."""

from __future__ import annotations

import json
from pathlib import Path

from seedling.artifacts import Difference, HeldOutNLL, TrainData, TuneEval
from tune.options import TuneOptions


def loss_svg(metrics: list[dict], width: int = 640, height: int = 240) -> str:
    """A plain SVG line chart: a few KB, opens anywhere (markdown, browser, the run report),
    where an interactive plotly page would carry megabytes of JavaScript per run."""
    points = [(m["step"], m["loss"]) for m in metrics if m.get("loss") is not None]
    pad = 40
    if not points:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"><text x="{pad}" y="{pad}">no loss logged</text></svg>\n'
    steps, losses = [p[0] for p in points], [p[1] for p in points]
    s0, s1 = min(steps), max(max(steps), min(steps) + 1)
    l0, l1 = min(losses), max(max(losses), min(losses) + 1e-6)

    def xy(step, loss):
        return (pad + (step - s0) / (s1 - s0) * (width - 2 * pad),
                height - pad - (loss - l0) / (l1 - l0) * (height - 2 * pad))

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(s, v) for s, v in points))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">\n'
        f'<rect width="100%" height="100%" fill="white"/>\n'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#888"/>\n'
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#888"/>\n'
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{line}"/>\n'
        f'<text x="{pad}" y="{pad - 8}">training loss: {losses[0]:.3f} at step {steps[0]} to {losses[-1]:.3f} at step {steps[-1]}</text>\n'
        f'<text x="{pad - 4}" y="{pad + 4}" text-anchor="end">{l1:.2f}</text>\n'
        f'<text x="{pad - 4}" y="{height - pad}" text-anchor="end">{l0:.2f}</text>\n'
        f'<text x="{pad}" y="{height - pad + 14}">{s0}</text>\n'
        f'<text x="{width - pad}" y="{height - pad + 14}" text-anchor="end">step {s1}</text>\n'
        "</svg>\n"
    )


def data_lines(data: TrainData) -> list[str]:
    """Which rows trained, and which were dropped for overlapping the held-out set."""
    lines = [f"Training rows: {data.train_rows} used of {data.train_rows_available} available"
             + (f" ({data.train_rows_requested} asked for)" if data.train_rows_requested else "")
             + f"; {data.held_out_rows} held out."]
    d = data.decontamination
    if data.removed_as_overlapping_eval:
        lines.append(f"Removed from training as overlapping a held-out row: {data.removed_as_overlapping_eval} "
                     f"({d.exact} exact, {d.near} near: {d.shingle} Jaccard >= {d.threshold}).")
        lines += [f"- {e.kind} {e.score}: {e.train!r} ~ {e.eval!r}" for e in d.examples]
    else:
        lines.append(f"No training row overlaps a held-out row (exact, or {d.shingle} Jaccard >= {d.threshold}).")
    if d.template_kept:
        lines.append(f"Kept in training: {d.template_kept} rows near a held-out row by template only ({d.rule}).")
        lines += [f"- template {e.score}: {e.train!r} ~ {e.eval!r}" for e in d.template_examples[:3]]
    return lines


def _ci(d: Difference) -> str:
    if not d.ci95:
        return f"no interval from n = {d.n}"
    verdict = "a difference" if d.differs else "no clear difference"
    return f"95% CI {d.ci95[0]} to {d.ci95[1]}, Student's t, n = {d.n}: {verdict}"


def _nll_lines(nll: HeldOutNLL) -> list[str]:
    if not nll.n:
        return [f"NLL: skipped ({nll.skipped}).", ""]
    d = nll.difference
    sides = (("base", nll.base), ("student", nll.student))
    return [
        f"Held-out references: {nll.n} ({nll.tokens} tokens). Lower is better.", "",
        "| model | NLL per token | perplexity | mean per example (sd) |", "|---|---|---|---|",
        *(f"| {name} | {side.nll_per_token} | {side.perplexity} | {side.per_example.mean} ({side.per_example.sd}) |"
          for name, side in sides),
        "",
        f"Student minus base, mean over examples of each one's NLL per token (the table above pools "
        f"tokens): {d.mean} ({_ci(d)}); the student is better on {d.improved} of {d.n}.", "",
    ]


def eval_markdown(ev: TuneEval) -> str:
    lines = ["# Evaluation: base vs tuned student", "", *data_lines(ev.data), "", *_nll_lines(ev.nll)]
    if ev.checks is not None:
        c = ev.checks
        lines += [f"Verifiable instruction checks: {c.constraints} constraints over {c.prompts} prompts; "
                  f"base kept {c.base}, student kept {c.student}.", ""]
    for s in ev.samples:
        title = s.instruction.splitlines()[0][:100]
        lines += [f"## {title}", "", "```text", s.instruction[:600], "```", "",
                  f"- reference: {s.reference[:300]!r}", f"- base: {s.base[:300]!r}",
                  f"- student: {s.student[:300]!r}", ""]
    return "\n".join(lines)


EMBEDDED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"


def base_identity(path: str) -> tuple[str, str]:
    """A base model's name and revision that mean something on another machine: the path it
    was loaded from (a cache here) resolves nowhere else. The embedded teacher is the hub
    model it was converted from; a hub snapshot its repo id and commit; else the name in its
    config, or the directory's."""
    from seedling.models import SOURCE_FILE, model_revision

    p = Path(path)
    revision = model_revision(p) if p.is_dir() else "unknown"
    if (p / SOURCE_FILE).is_file():
        source = json.loads((p / SOURCE_FILE).read_text(encoding="utf-8"))
        gguf = Path(source.get("gguf", "")).name
        return f"{EMBEDDED_HUB_ID} ({gguf} from {source.get('package')} {source.get('version')})", revision
    if p.parent.name == "snapshots" and p.parent.parent.name.startswith("models--"):
        return p.parent.parent.name.removeprefix("models--").replace("--", "/"), revision
    config = p / "config.json"
    named = json.loads(config.read_text(encoding="utf-8")).get("_name_or_path") if config.is_file() else None
    return (named if named and not Path(named).is_absolute() else p.name), revision


def model_card(base: str, ev: TuneEval, config: TuneOptions) -> str:
    name, revision = base_identity(base)
    hub_id = name.split(" ")[0]
    data, train, nll = ev.data, ev.train, ev.nll
    result = (f"held-out NLL per token {nll.base.nll_per_token} (base) -> {nll.student.nll_per_token} "
              f"(student) on {nll.n} examples" if nll.n else "no held-out NLL")
    return "\n".join([
        "---", "library_name: peft", f"base_model: {hub_id}", "tags: [lora, sft, trl, seedling]", "---", "",
        f"# LoRA adapter for {hub_id}", "",
        "Trained by `seedling tune` with TRL's SFTTrainer and PEFT LoRA; loss on the response tokens only.", "",
        f"- Base model: {name}, revision `{revision}` (loaded from `{base}` on the training machine)",
        f"- Dataset: `{data.path}`, {data.train_rows} training rows, {data.held_out_rows} held out, "
        f"fingerprint `{data.fingerprint}`; {data.removed_as_overlapping_eval} rows removed from training "
        f"as overlapping the held-out set ({data.decontamination.exact} exact, "
        f"{data.decontamination.near} near)",
        f"- Training: {train.steps} steps in {train.seconds} s; mean loss of the first tenth of steps "
        f"{train.first_loss}, of the last tenth {train.last_loss}",
        f"- Result: {result}", "",
        "## Training config", "", "```json", json.dumps(config.model_dump(), indent=2), "```", "",
    ])

"""`seedling eval`: two students answer the same held-out instructions and a judge compares
them (tune/judge.py). A student is an adapter directory (adapter/ of a tune run), a model
directory, or "base" for the embedded model."""

from __future__ import annotations

import json
from pathlib import Path

from seedling.artifacts import Judged, WinRate
from seedling.errors import SeedlingError
from seedling.formats import load
from seedling.formats.atomic import write_json
from seedling.record import Record
from tune.evaluate import generate
from tune.options import TuneOptions
from tune.progress import RowMeter


def load_student(spec: str, dtype: str = "auto"):
    """(model, tokenizer) for "base", a PEFT adapter directory, or a model directory."""
    from seedling.models import load_causal_lm

    path = Path(spec)
    if spec == "base":
        return load_causal_lm(None, dtype)
    if (path / "adapter_config.json").exists():
        from peft import PeftModel

        base = json.loads((path / "adapter_config.json").read_text(encoding="utf-8"))["base_model_name_or_path"]
        model, tokenizer = load_causal_lm(base, dtype)
        return PeftModel.from_pretrained(model, path).eval(), tokenizer
    if not path.is_dir():
        raise SeedlingError(f"{spec}: not 'base', an adapter directory or a model directory")
    return load_causal_lm(path, dtype)


def answers(spec: str, records: list[Record], max_new_tokens: int, batch_size: int, dtype: str) -> list[str]:
    """Greedy replies of one student, batch by batch, with rows/s."""
    model, tokenizer = load_student(spec, dtype)
    out: list[str] = []
    with RowMeter(f"replies of {spec}", len(records)) as meter:
        for i in range(0, len(records), batch_size):
            out += generate(model, tokenizer, records[i:i + batch_size], max_new_tokens)
            meter.advance(len(records[i:i + batch_size]))
    del model
    return out


def compare(held: Path, a: str, b: str, teacher, out: Path | None, *, max_rows: int = 100, max_new_tokens: int = 128,
            batch_size: int = 8, dtype: str = "auto", template: Path | None = None) -> Judged:
    """Answers of a and b to the first `max_rows` held-out instructions (by id), judged both ways."""
    from tune.judge import judge, summarise, template_text

    records = sorted(load(held).records, key=lambda r: r.id)[:max_rows]
    if not records:
        raise SeedlingError(f"{held}: no held-out rows")
    answers_a = answers(a, records, max_new_tokens, batch_size, dtype)
    answers_b = answers(b, records, max_new_tokens, batch_size, dtype)
    with RowMeter(f"judge's verdicts ({teacher.info.engine} {teacher.info.model}), both orders",
                  2 * len(records)) as meter:
        rows = judge(teacher, [r.prompt for r in records], answers_a, answers_b, template_text(template),
                     on_done=lambda i, completion: meter.advance(1))
    for record, row in zip(records, rows):
        row.id = record.id
    result = Judged(a=a, b=b, judge=teacher.info.to_dict(), held_out=str(held), summary=summarise(rows), rows=rows)
    if out is not None:
        write_json(out, result.model_dump(mode="json"))
    return result


def judge_students(held: Path, a: str, b: str, opts: TuneOptions, out: Path | None = None) -> Judged:
    """compare() with the judge `opts.judge` names, closed when it is done."""
    teacher = opts.judge.build()
    try:
        return compare(held, a, b, teacher, out, max_rows=opts.judge_rows, max_new_tokens=opts.max_new_tokens,
                       dtype=opts.dtype, template=opts.judge_template)
    finally:
        teacher.close()


def summary_line(s: WinRate, a: str, b: str) -> str:
    if s.win_rate is None:
        return f"no verdict could be read from the judge's {s.unparsed_verdicts} replies"
    lc = s.length_controlled
    lc_text = (f"; length-controlled {lc.win_rate:.3f} ({lc.ci95[0]:.3f} to {lc.ci95[1]:.3f})"
               if lc and lc.ci95 else "")
    ci = f"95% CI {s.ci95[0]:.3f} to {s.ci95[1]:.3f}, " if s.ci95 else ""
    call = "a difference" if s.differs else "no clear difference"
    agree = s.position_agreement
    agree_text = f"; the judge agreed with itself across orders on {agree:.0%}" if agree is not None else ""
    return (f"win rate of {a} over {b}: {s.win_rate:.3f} ({ci}n = {s.n}, ties half): {call}; "
            f"{s.wins} wins, {s.ties} ties, {s.losses} losses{agree_text}{lc_text}")

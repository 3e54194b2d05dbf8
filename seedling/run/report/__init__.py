"""report.html: one self-contained page that answers "did the data and the tuning help?".

It reads only the files the stages leave in the run directory, so the core needs no stage
package; a part the run did not reach becomes a "not run" note with the reason, never an
error. Plotly's JS is inlined once: the page opens offline.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import plotly.offline
from markupsafe import Markup

from seedling.formats.atomic import write_text
from seedling.run.report.card import card
from seedling.run.report.formatting import duration, fmt, pct
from seedling.run.report.run_files import Run
from seedling.run.report.selection import three_students
from seedling.run.report.sections import curation, diversity, generation, inputs, rounds, samples, training
from seedling.run.report.verdict import comparison, judged, summary

__all__ = ["render", "write_report"]

TEMPLATE = Path(__file__).with_name("report.html.j2")
NAME = "report.html"


def render(run_dir: Path) -> str:
    run = Run(run_dir)
    compared = comparison(run)
    raw_missing = compared.get("raw_missing")
    sections = {"selection": three_students(run), "summary": summary(run, compared), "inputs": inputs(run), "generation": generation(run),
                "rounds": rounds(run), "curation": curation(run), "diversity": diversity(run),
                "training": training(run, raw_missing), "comparison": compared,
                "samples": samples(run, raw_missing), "card": card(run), "judged": judged(run)}
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.ChainableUndefined)
    env.filters.update(fmt=fmt, pct=pct, duration=duration)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    title = run.config("run").get("name") or run.root.name
    return template.render(s=sections, files=run.layout, title=title, plotly_js=Markup(plotly.offline.get_plotlyjs()))


def write_report(run_dir: Path) -> Path:
    path = Path(run_dir) / NAME
    write_text(path, render(run_dir))
    return path

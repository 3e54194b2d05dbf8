"""audit.html: one page, no network (plotly's JS is inlined once, ~4.6 MB)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import plotly.offline
from markupsafe import Markup

from curate.report import figures
from seedling.curate_audit import CurateAudit
from seedling.formats.atomic import write_text

TEMPLATE = Path(__file__).with_name("audit.html.j2")


def render(audit: CurateAudit, projection: dict, title: str) -> str:
    figs = {
        "cluster_map": figures.cluster_map(projection, audit.clusters.clusters),
        "cluster_sizes": figures.cluster_sizes(audit.clusters.clusters),
        "lengths": figures.lengths(audit.shape),
        "verbs": figures.verbs(audit.shape),
        "tier_scores": {t.name: figures.scores(t) for t in audit.dedup.tiers},
        "bias_rates": figures.bias_rates(audit.bias),
        "scores": figures.score_distributions(audit.scores or {}),
    }
    env = jinja2.Environment(autoescape=True)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(a=audit, figs=figs, title=title, plotly_js=Markup(plotly.offline.get_plotlyjs()))


def write(audit: CurateAudit, projection: dict, title: str, path: Path) -> None:
    write_text(path, render(audit, projection, title))

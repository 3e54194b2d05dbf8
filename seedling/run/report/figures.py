"""Plotly figures for report.html, each built from the numbers the stages wrote. A figure
is an HTML fragment without plotly's JS: the page inlines that once for all of them."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from seedling.curate_audit import BiasAxis

LAYOUT = dict(height=320, margin=dict(l=50, r=20, t=50, b=40), template="plotly_white",
              font=dict(family="system-ui, sans-serif", size=12))
COLORS = {"base": "#7f7f7f", "raw": "#ff7f0e", "curated": "#1f77b4"}


def _html(fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})


def _hbar(labels: list[str], values: list[float], title: str, color: str | list[str] = "#1f77b4") -> str:
    fig = go.Figure(go.Bar(y=labels, x=values, orientation="h", text=values, marker_color=color))
    fig.update_layout(title=title, **{**LAYOUT, "height": max(220, 26 * len(labels) + 90)})
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _html(fig)


def rejections(rejected: dict[str, int]) -> str | None:
    if not rejected:
        return None
    items = sorted(rejected.items(), key=lambda kv: -kv[1])
    return _hbar([k for k, _ in items], [v for _, v in items], "Teacher outputs rejected, by reason", "#d62728")


def rounds(rounds: list) -> str:
    """New rows' Vendi per round (bars) beside how wide all rows so far are (lines); `rounds`
    are rounds.json's typed lines (seedling.run.rounds.Round)."""
    names = [f"round {p.round}" + (" (steered)" if p.steered else "") for p in rounds]
    fig = make_subplots(rows=1, cols=2, subplot_titles=["Vendi score of each round's new rows",
                                                        "All rows so far: cluster entropy, coverage share"])
    new = [p.new_rows for p in rounds]
    fig.add_trace(go.Bar(x=names, y=[n.vendi for n in new], name="Vendi (new rows)",
                         text=[f"{n.vendi_per_row:.2f}/row" if n.vendi_per_row is not None else "" for n in new],
                         marker_color=["#ff7f0e" if p.steered else "#7f7f7f" for p in rounds]), row=1, col=1)
    for key, label in (("cluster_entropy", "cluster entropy"), ("coverage_share", "coverage share")):
        fig.add_trace(go.Scatter(x=names, y=[getattr(p.all_rows, key) for p in rounds], name=label,
                                 mode="lines+markers"), row=1, col=2)
    fig.update_yaxes(range=[0, 1.05], row=1, col=2)
    fig.update_layout(**{**LAYOUT, "margin": dict(l=50, r=20, t=60, b=40)}, legend=dict(orientation="h", y=-0.15))
    return _html(fig)


def removals(by_reason: dict[str, int]) -> str | None:
    if not by_reason:
        return None
    return _hbar(list(by_reason), list(by_reason.values()), "Rows removed, by reason", "#ff7f0e")


def bias_mentions(axes: dict[str, BiasAxis]) -> str | None:
    """Groups mentioned at least once, grouped by axis; never-mentioned groups are in the table."""
    palette = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e"]
    labels, values, colors = [], [], []
    for n, (axis, figs) in enumerate(axes.items()):
        for group, g in sorted(figs.groups.items(), key=lambda kv: -kv[1].rows):
            if g.rows:
                labels.append(f"{axis}: {group}")
                values.append(g.rows)
                colors.append(palette[n % len(palette)])
    if not labels:
        return None
    return _hbar(labels, values, "Rows mentioning each group, by axis (under-represented groups: table below)", colors)


def losses(curves: dict[str, list[dict]]) -> str | None:
    """Training loss of each student against its step, on one chart."""
    fig = go.Figure()
    for name, metrics in curves.items():
        points = [(m["step"], m["loss"]) for m in metrics if m.get("loss") is not None]
        fig.add_trace(go.Scatter(x=[s for s, _ in points], y=[v for _, v in points], mode="lines+markers",
                                 name=f"{name}-data student", line=dict(color=COLORS[name]), marker=dict(size=4)))
    if not fig.data:
        return None
    fig.update_layout(title="Training loss (response tokens)", xaxis_title="step", yaxis_title="loss", **LAYOUT)
    return _html(fig)


def nll_bars(models: list[dict]) -> str:
    """Held-out NLL per token of each model; error bars: 95% CI of the per-example mean."""
    fig = go.Figure()
    for m in models:
        ci = m.get("ci95")
        fig.add_trace(go.Bar(x=[m["label"]], y=[m["nll_per_token"]], name=m["label"], marker_color=COLORS[m["key"]],
                             text=[f"{m['nll_per_token']:.3f}"], textposition="inside",
                             error_y=dict(type="data", symmetric=False, array=[ci[1] - m["mean"]],
                                          arrayminus=[m["mean"] - ci[0]]) if ci else None))
    fig.update_layout(title="Held-out NLL per token (lower is better)", showlegend=False, **LAYOUT)
    return _html(fig)


def paired_scatter(pairs: list[dict]) -> str | None:
    """Each held-out example: raw-data student's NLL against the curated one's; below the
    diagonal the curated student did better."""
    if not pairs:
        return None
    xs, ys = [p["raw"] for p in pairs], [p["curated"] for p in pairs]
    lo, hi = min(xs + ys), max(xs + ys)
    fig = go.Figure([
        go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", line=dict(color="#999", dash="dash"), name="equal",
                   hoverinfo="skip"),
        go.Scatter(x=xs, y=ys, mode="markers", name="held-out example", text=[p["id"] for p in pairs],
                   marker=dict(size=7, color=["#1f77b4" if y < x else "#ff7f0e" for x, y in zip(xs, ys)])),
    ])
    fig.update_layout(title="Per example: below the line the curated-data student is better",
                      xaxis_title="raw-data student NLL per token", yaxis_title="curated-data student NLL per token",
                      showlegend=False, **LAYOUT)
    return _html(fig)

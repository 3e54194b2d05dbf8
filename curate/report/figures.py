"""Plotly figures for audit.html, each from the audit figures alone (plus the 2-D projection)."""

from __future__ import annotations

import plotly.graph_objects as go

from seedling.curate_audit import Bias, DedupTier

LAYOUT = dict(height=360, margin=dict(l=40, r=20, t=40, b=40), template="plotly_white")


def _html(fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})


def cluster_map(projection: dict, clusters: list[dict]) -> str | None:
    if not projection.get("x"):
        return None
    names = {c["cluster"]: f"{c['cluster']}: {' '.join(c['label'][:3])}" for c in clusters}
    fig = go.Figure()
    for c in sorted(set(projection["cluster"])):
        idx = [i for i, k in enumerate(projection["cluster"]) if k == c]
        fig.add_trace(go.Scattergl(x=[projection["x"][i] for i in idx], y=[projection["y"][i] for i in idx],
                                   mode="markers", marker=dict(size=5), name=names.get(c, str(c)),
                                   text=[projection["text"][i] for i in idx], hoverinfo="text"))
    fig.update_layout(title="Cluster map (PCA of instruction embeddings)", **{**LAYOUT, "height": 460})
    return _html(fig)


def cluster_sizes(clusters: list[dict]) -> str | None:
    if not clusters:
        return None
    colors = ["#d62728" if c["flag"] == "over-full" else "#ff7f0e" if c["flag"] == "sparse" else "#1f77b4" for c in clusters]
    fig = go.Figure(go.Bar(x=[f"{c['cluster']}: {' '.join(c['label'][:3])}" for c in clusters],
                           y=[c["size"] for c in clusters], marker_color=colors, text=[c["size"] for c in clusters]))
    fig.update_layout(title="Cluster sizes (orange: sparse, red: over-full)", **LAYOUT)
    return _html(fig)


def lengths(shape: dict) -> str:
    from plotly.subplots import make_subplots

    names = list(shape["lengths"])
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=[f"{n} (words)" for n in names])
    for col, name in enumerate(names, start=1):
        h = shape["lengths"][name]["histogram"]
        mids = [(a + b) / 2 for a, b in zip(h["edges"], h["edges"][1:])]
        fig.add_trace(go.Bar(x=mids, y=h["counts"], name=name, showlegend=False), row=1, col=col)
    fig.update_layout(title="Length distributions (rows that have the field)", **{**LAYOUT, "margin": dict(l=40, r=20, t=80, b=40)})
    return _html(fig)


def verbs(shape: dict) -> str:
    items = list(shape["leading_verbs"].items())
    fig = go.Figure(go.Bar(x=[k for k, _ in items], y=[v for _, v in items], text=[v for _, v in items]))
    fig.update_layout(title="Leading verbs of instructions", **LAYOUT)
    return _html(fig)


def scores(tier: DedupTier) -> str | None:
    hist = tier.scores
    if not hist or not hist["counts"]:
        return None
    mids = [(a + b) / 2 for a, b in zip(hist["edges"], hist["edges"][1:])]
    fig = go.Figure(go.Bar(x=mids, y=hist["counts"], name="pairs"))
    t = tier.details.get("threshold")
    if t is not None:
        fig.add_vline(x=t, line_dash="dash", line_color="red", annotation_text=f"threshold {t:.2f}")
    fig.update_layout(title=f"{tier.name}: {hist['of']}", **LAYOUT)
    return _html(fig)


def bias_rates(bias: Bias) -> str | None:
    ys, xs, texts, colors = [], [], [], []
    for axis, figs in bias.axes.items():
        under = set(figs.skew.under_represented)
        for group, g in figs.groups.items():
            if g.rows:
                ys.append(f"{axis}: {group}")
                xs.append(g.rate * 100)
                texts.append(f"{g.rows} examples")
                colors.append("#ff7f0e" if group in under else "#1f77b4")
    if not ys:
        return None
    fig = go.Figure(go.Bar(y=ys, x=xs, orientation="h", text=texts, marker_color=colors))
    fig.update_layout(title="Independent examples naming each group, % of all examples (orange: under-represented "
                            "against a given target; groups never mentioned are listed in the table)",
                      **{**LAYOUT, "height": max(360, 18 * len(ys) + 80)})
    fig.update_yaxes(autorange="reversed")
    return _html(fig)


def score_distributions(scores: dict) -> str | None:
    """One histogram per score column (quality, ifd, answer_nll, judge) and the combined score."""
    from plotly.subplots import make_subplots

    dists = {**scores.get("distributions", {}), **({"combined": scores["combined"]} if scores.get("combined") else {})}
    if not dists:
        return None
    fig = make_subplots(rows=1, cols=len(dists), subplot_titles=list(dists))
    for col, d in enumerate(dists.values(), start=1):
        centres = [(a + b) / 2 for a, b in zip(d["edges"], d["edges"][1:])]
        fig.add_trace(go.Bar(x=centres, y=d["counts"], showlegend=False, marker_color="#1f77b4"), row=1, col=col)
    fig.update_layout(title="Score distributions (rows)", **LAYOUT)
    return _html(fig)

"""Figures of the Regularisation page: curves with the generalisation gap shaded, weight
histograms, pre-activation bands, search heatmaps. They draw numbers computed in dl_core."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.charts import SERIES_COLOURS

GAP_FILL = "rgba(232, 89, 12, 0.18)"


def gap_figure(history: dict, metric: str, title: str, best_epoch: int | None = None,
               stopped_epoch: int | None = None, total_epochs: int | None = None) -> go.Figure:
    """Training and validation `metric` per epoch, the gap between them shaded, and (when early
    stopping ran) the epoch it fired and the epoch whose weights it kept."""
    train, val = history.get(metric, []), history.get(f"val_{metric}", [])
    epochs = list(range(1, len(train) + 1))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=epochs, y=train, name="training", mode="lines",
                             line={"color": SERIES_COLOURS[0], "width": 2.5}))
    fig.add_trace(go.Scatter(x=epochs, y=val, name="validation", mode="lines", fill="tonexty",
                             fillcolor=GAP_FILL, line={"color": SERIES_COLOURS[1], "width": 2.5}))
    if best_epoch:
        fig.add_vline(x=best_epoch, line_dash="dot", line_color="#2f9e44",
                      annotation_text=f"best (epoch {best_epoch})", annotation_position="top left")
    if stopped_epoch and stopped_epoch != best_epoch:
        fig.add_vline(x=stopped_epoch, line_dash="dash", line_color="#c92a2a",
                      annotation_text=f"stopped (epoch {stopped_epoch})",
                      annotation_position="top right")
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": title, "x": 0.01}, xaxis_title="epoch", yaxis_title=metric,
                      legend={"orientation": "h", "y": -0.25})
    if total_epochs:
        fig.update_xaxes(range=[0.5, total_epochs + 0.5])
    return fig


def weight_histograms(samples: dict[str, np.ndarray], shares: dict[str, float]) -> go.Figure:
    """One histogram per layer of its kernel weights, each titled with its share below 1e-3."""
    names = list(samples)
    fig = make_subplots(rows=1, cols=len(names),
                        subplot_titles=[f"{n}: {shares.get(n, 0):.0%} with |w| < 10⁻³" for n in names])
    for index, name in enumerate(names):
        fig.add_trace(go.Histogram(x=np.asarray(samples[name], dtype=float), nbinsx=60,
                                   marker_color=SERIES_COLOURS[index % len(SERIES_COLOURS)],
                                   showlegend=False), row=1, col=index + 1)
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10}, bargap=0.02)
    fig.update_annotations(font_size=12)
    return fig


def compare_figure(histories: dict[str, dict], metric: str, title: str) -> go.Figure:
    """Validation `metric` of several pinned runs (dashed: training)."""
    fig = go.Figure()
    for index, (label, history) in enumerate(histories.items()):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        for name, dash, split in ((f"val_{metric}", "solid", "validation"), (metric, "dot", "training")):
            values = history.get(name, [])
            fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines",
                                     name=f"{label} ({split})", line={"color": colour, "dash": dash}))
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": title, "x": 0.01}, xaxis_title="epoch", yaxis_title=metric,
                      legend={"orientation": "h", "y": -0.3})
    return fig


def quantile_band_figure(quantiles: dict[str, np.ndarray]) -> go.Figure:
    """Per run, the 5–95 % and 25–75 % bands of one layer's pre-activations per epoch and the
    median, so a drifting or widening distribution is visible at a glance."""
    fig = go.Figure()
    for index, (label, q) in enumerate(quantiles.items()):
        q = np.asarray(q, dtype=float)
        epochs = list(range(len(q)))
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        for low, high, opacity in ((0, 4, 0.15), (1, 3, 0.3)):
            fig.add_trace(go.Scatter(x=epochs + epochs[::-1], y=list(q[:, high]) + list(q[::-1, low]),
                                     fill="toself", fillcolor=_alpha(colour, opacity), line={"width": 0},
                                     hoverinfo="skip", showlegend=False, legendgroup=label))
        fig.add_trace(go.Scatter(x=epochs, y=q[:, 2], name=f"{label}: median", mode="lines",
                                 line={"color": colour, "width": 2.5}, legendgroup=label))
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": "First hidden layer's pre-activations (bands: 5–95 %, 25–75 %)",
                             "x": 0.01}, xaxis_title="epoch (0 = untrained)",
                      yaxis_title="value going into ReLU", legend={"orientation": "h", "y": -0.25})
    return fig


def _alpha(colour: str, opacity: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{opacity})"


def grid_figure(rates: list[float], dropouts: list[float], scores: np.ndarray) -> go.Figure:
    """The grid's validation accuracy, one cell per training; cells nobody trained yet are blank."""
    text = [[("" if np.isnan(v) else f"{v:.0%}") for v in row] for row in scores]
    fig = go.Figure(go.Heatmap(x=[f"{r:g}" for r in rates], y=[f"{d:g}" for d in dropouts], z=scores,
                               zmin=0, zmax=1, colorscale="Viridis", text=text, texttemplate="%{text}",
                               colorbar={"title": {"text": "val. accuracy"}, "thickness": 14},
                               hovertemplate="lr %{x}, dropout %{y}: %{z:.3f}<extra></extra>"))
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": "Grid search", "x": 0.01}, xaxis_title="learning rate",
                      yaxis_title="dropout")
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def random_figure(points: list[tuple[float, float]], scores: list[float | None]) -> go.Figure:
    done = [(p, s) for p, s in zip(points, scores) if s is not None]
    waiting = [p for p, s in zip(points, scores) if s is None]
    fig = go.Figure()
    if done:
        fig.add_trace(go.Scatter(x=[p[0] for p, _ in done], y=[p[1] for p, _ in done], mode="markers",
                                 name="trained", marker={"size": 14, "color": [s for _, s in done],
                                                         "colorscale": "Viridis", "cmin": 0, "cmax": 1,
                                                         "line": {"color": "white", "width": 1}},
                                 text=[f"{s:.0%}" for _, s in done],
                                 hovertemplate="lr %{x:.3g}, dropout %{y:.2f}: %{text}<extra></extra>"))
    if waiting:
        fig.add_trace(go.Scatter(x=[p[0] for p in waiting], y=[p[1] for p in waiting], mode="markers",
                                 name="not trained yet", marker={"size": 11, "symbol": "circle-open",
                                                                 "color": "#868e96"}))
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": "Random search", "x": 0.01}, xaxis_title="learning rate",
                      yaxis_title="dropout", legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(type="log")
    return fig


def best_found_figure(curves: dict[str, list[float | None]]) -> go.Figure:
    fig = go.Figure()
    for index, (label, values) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines+markers",
                                 name=label, line={"color": SERIES_COLOURS[index], "shape": "hv"}))
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": "Best validation accuracy found so far", "x": 0.01},
                      xaxis_title="trainings (in the search's order)", yaxis_title="best so far",
                      legend={"orientation": "h", "y": -0.25})
    return fig


def spread_figure(groups: dict[str, list[float]], stats: dict[str, tuple[float, float]]) -> go.Figure:
    """Each group's scores as dots on one row, with its mean ± one standard deviation."""
    fig = go.Figure()
    for index, (label, scores) in enumerate(groups.items()):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        fig.add_trace(go.Scatter(x=scores, y=[label] * len(scores), mode="markers", name=label,
                                 marker={"size": 12, "color": colour, "opacity": 0.8}))
        if label in stats:
            mean, std = stats[label]
            fig.add_trace(go.Scatter(x=[mean], y=[label], mode="markers", showlegend=False,
                                     error_x={"type": "constant", "value": std, "thickness": 2},
                                     marker={"symbol": "line-ns-open", "size": 26, "color": "black"},
                                     hovertemplate=f"mean {mean:.3f} ± {std:.3f}<extra></extra>"))
    fig.update_layout(height=260, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis_title="validation accuracy", showlegend=False)
    return fig

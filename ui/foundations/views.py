"""Plotly figures of the Foundations pages. They draw numbers computed in dl_core; no maths here."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dl_core.foundations import perceptron
from ui.charts import CATEGORY_COLOURS, SERIES_COLOURS

PLANE_HEIGHT = 430
SHADE = 60  # grid points per side of the shaded half-planes


def _box(x: np.ndarray, box: tuple[float, float] | None) -> tuple[float, float]:
    if box is not None:
        return box
    low, high = float(x.min()), float(x.max())
    margin = 0.15 * (high - low or 1.0)
    return low - margin, high + margin


def perceptron_figure(x: np.ndarray, y: np.ndarray, names: list[str], weights: np.ndarray,
                      current=None, box: tuple[float, float] | None = None) -> go.Figure:
    """The points, the half-plane the neuron calls 1 (shaded), its line, and the sample now seen."""
    low, high = _box(x, box)
    axis = np.linspace(low, high, SHADE)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    answers = perceptron.predict(weights, grid).reshape(SHADE, SHADE)
    fig = go.Figure(go.Heatmap(x=axis, y=axis, z=answers, zmin=0, zmax=1, showscale=False,
                               colorscale=[[0, "#dbe9f6"], [1, "#fde5c4"]], hoverinfo="skip"))
    for label in (0, 1):
        chosen = y == label
        fig.add_trace(go.Scatter(x=x[chosen, 0], y=x[chosen, 1], mode="markers",
                                 name=f"label {names[label]}",
                                 marker={"color": CATEGORY_COLOURS[label], "size": 10,
                                         "line": {"color": "white", "width": 1}}))
    if current is not None:
        _line(fig, current.w_before, (low, high), "line before", "dot")
        fig.add_trace(go.Scatter(x=[current.x[1]], y=[current.x[2]], mode="markers",
                                 name="this sample", marker={"size": 22, "color": "rgba(0,0,0,0)",
                                                             "line": {"color": "#c92a2a", "width": 3}}))
    _line(fig, weights, (low, high), "wᵀx = 0", "solid")
    fig.update_layout(height=PLANE_HEIGHT, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis_title="x₁", yaxis_title="x₂", legend={"orientation": "h", "y": 1.08})
    fig.update_xaxes(range=[low, high], constrain="domain")
    fig.update_yaxes(range=[low, high], scaleanchor="x")
    return fig


def _line(fig: go.Figure, weights: np.ndarray, box: tuple[float, float], name: str, dash: str) -> None:
    ends = perceptron.line_points(weights, box)
    if ends is None:  # w₁ = w₂ = 0: every point gets the same answer, there is no line
        return
    (x_a, y_a), (x_b, y_b) = ends
    fig.add_trace(go.Scatter(x=[x_a, x_b], y=[y_a, y_b], mode="lines", name=name,
                             line={"color": "#212529", "width": 3 if dash == "solid" else 2,
                                   "dash": dash}))


def mistakes_figure(mistakes: list[int]) -> go.Figure:
    fig = go.Figure(go.Bar(x=list(range(1, len(mistakes) + 1)), y=mistakes,
                           marker_color=SERIES_COLOURS[1]))
    fig.update_layout(height=220, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title={"text": "Mistakes per epoch (the last one so far)", "x": 0.01},
                      xaxis_title="epoch", yaxis_title="mistakes")
    fig.update_xaxes(dtick=max(1, len(mistakes) // 10))
    fig.update_yaxes(rangemode="tozero", range=[0, max(max(mistakes), 1) * 1.1])
    return fig


def surface_figure(artifacts: dict, probabilities: np.ndarray, labels: list[str]) -> go.Figure:
    """The decision surface: each class's region shaded by how sure the network is of it there,
    with the training points filled and the test points as rings."""
    grid_x1, grid_x2 = artifacts["grid_x1"], artifacts["grid_x2"]
    probabilities = np.asarray(probabilities, dtype=float)
    winner = probabilities.argmax(axis=-1)
    classes = probabilities.shape[-1]
    fig = go.Figure()
    for label in range(classes):
        # One layer per class, transparent (NaN) where another class wins; from 1/k (a toss-up,
        # white) to 1 (certain, the class colour).
        sure = np.where(winner == label, probabilities[..., label], np.nan)
        fig.add_trace(go.Heatmap(x=grid_x1, y=grid_x2, z=sure, zmin=1 / classes, zmax=1,
                                 colorscale=[[0, "#ffffff"], [1, _pale(CATEGORY_COLOURS[label])]],
                                 showscale=False, hovertemplate=f"{labels[label]}: p = %{{z:.2f}}"
                                                                "<extra></extra>"))
    for split, symbol in (("train", "circle"), ("test", "circle-open")):
        points, answers = artifacts[f"x_{split}"], artifacts[f"y_{split}"]
        for label in range(classes):
            chosen = answers == label
            fig.add_trace(go.Scatter(x=points[chosen, 0], y=points[chosen, 1], mode="markers",
                                     name=f"{labels[label]} ({split})", legendgroup=str(label),
                                     marker={"color": CATEGORY_COLOURS[label], "size": 6,
                                             "symbol": symbol,
                                             "line": {"color": "white" if split == "train"
                                                      else CATEGORY_COLOURS[label], "width": 1}}))
    fig.update_layout(height=PLANE_HEIGHT, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis_title="x₁", yaxis_title="x₂", legend={"orientation": "h", "y": 1.1})
    fig.update_xaxes(range=[float(grid_x1[0]), float(grid_x1[-1])], constrain="domain")
    fig.update_yaxes(range=[float(grid_x2[0]), float(grid_x2[-1])], scaleanchor="x")
    return fig


def _pale(colour: str, strength: float = 0.55) -> str:
    """The colour mixed with white, so the points drawn on top stay visible."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - strength * (255 - c)) for c in (red, green, blue)]
    return f"rgb({mix[0]},{mix[1]},{mix[2]})"


def activation_figure(z: np.ndarray, values: np.ndarray, slopes: np.ndarray, at: float,
                      value: float, slope: float, saturated: list[tuple[float, float]],
                      name: str) -> go.Figure:
    """g and g′ on one plot, the saturated regions shaded, and the chosen z marked on both."""
    fig = go.Figure()
    for start, end in saturated:
        fig.add_vrect(x0=start, x1=end, fillcolor="#adb5bd", opacity=0.25, line_width=0)
    fig.add_trace(go.Scatter(x=z, y=values, name=f"g(z) = {name}(z)", mode="lines",
                             line={"color": SERIES_COLOURS[0], "width": 3}))
    fig.add_trace(go.Scatter(x=z, y=slopes, name="g′(z)", mode="lines",
                             line={"color": SERIES_COLOURS[1], "width": 3, "dash": "dash"}))
    fig.add_trace(go.Scatter(x=[at, at], y=[value, slope], mode="markers", showlegend=False,
                             marker={"size": 11, "color": [SERIES_COLOURS[0], SERIES_COLOURS[1]]}))
    fig.add_vline(x=at, line_dash="dot", line_color="#495057")
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 30, "b": 10}, xaxis_title="z",
                      legend={"orientation": "h", "y": 1.1})
    return fig


def gradient_norms_figure(initial: np.ndarray, trained: np.ndarray) -> go.Figure:
    layers = [f"layer {index + 1}" for index in range(len(initial))]
    layers[-1] = "output"
    fig = go.Figure([go.Bar(x=layers, y=initial, name="at initialisation", marker_color=SERIES_COLOURS[0]),
                     go.Bar(x=layers, y=trained, name="after training", marker_color=SERIES_COLOURS[1])])
    fig.update_layout(barmode="group", height=360, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      yaxis={"type": "log", "title": "‖∂L/∂W‖ (log scale)"},
                      xaxis_title="input side → output side", legend={"orientation": "h", "y": 1.1})
    return fig


def loss_figure(p: np.ndarray, curves: dict[str, np.ndarray], title: str, y_title: str,
                y_range: tuple[float, float] | None = None) -> go.Figure:
    fig = go.Figure()
    for index, (name, values) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=p, y=values, name=name, mode="lines",
                                 line={"color": SERIES_COLOURS[index // 2 % len(SERIES_COLOURS)],
                                       "dash": "solid" if index % 2 == 0 else "dash", "width": 3}))
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": title, "x": 0.01}, xaxis_title="predicted probability p of class 1",
                      yaxis_title=y_title, legend={"orientation": "h", "y": -0.25})
    if y_range is not None:
        fig.update_yaxes(range=list(y_range))
    return fig


def compare_figure(histories: dict[str, dict[str, list[float]]], metric: str, title: str) -> go.Figure:
    """The same metric of several trainings on one chart (solid train, dashed test)."""
    fig = go.Figure()
    for index, (label, history) in enumerate(histories.items()):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        for name, dash, split in ((metric, "solid", "train"), (f"val_{metric}", "dash", "test")):
            values = history.get(name, [])
            fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines",
                                     name=f"{label} ({split})", line={"color": colour, "dash": dash}))
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title={"text": title, "x": 0.01}, xaxis_title="epoch",
                      legend={"orientation": "h", "y": -0.25})
    return fig

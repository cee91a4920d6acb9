"""The network drawn as Playground draws it, and the per-neuron activation maps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dl_core.foundations.features import FEATURE_LABELS

POSITIVE, NEGATIVE = "#1c7ed6", "#f76707"
WIDTH_BUCKETS = 5  # edges are grouped by sign and width: a few traces, however many edges
MAPS_PER_ROW = 8


def network_figure(artifacts: dict, info: dict) -> go.Figure:
    """Nodes per layer (inputs, hidden layers, outputs); every weight an edge whose width is its
    size relative to the largest and whose colour is its sign."""
    kernels = _kernels(artifacts)
    sizes = [kernels[0].shape[0]] + [kernel.shape[1] for kernel in kernels]
    positions = [_column(index, size) for index, size in enumerate(sizes)]
    largest = max(float(np.abs(kernel).max()) for kernel in kernels) or 1.0
    fig = go.Figure()
    edges: dict[tuple[bool, int], tuple[list, list]] = {}
    for layer, kernel in enumerate(kernels):
        for i in range(kernel.shape[0]):
            for j in range(kernel.shape[1]):
                weight = float(kernel[i, j])
                bucket = min(WIDTH_BUCKETS - 1, int(abs(weight) / largest * WIDTH_BUCKETS))
                xs, ys = edges.setdefault((weight >= 0, bucket), ([], []))
                (x_a, y_a), (x_b, y_b) = positions[layer][i], positions[layer + 1][j]
                xs += [x_a, x_b, None]
                ys += [y_a, y_b, None]
    for (positive, bucket), (xs, ys) in sorted(edges.items()):
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                 opacity=0.35 + 0.13 * bucket,
                                 line={"color": POSITIVE if positive else NEGATIVE,
                                       "width": 0.5 + 1.6 * bucket}))
    names = _node_names(info, sizes)
    for layer, points in enumerate(positions):
        fig.add_trace(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points],
                                 mode="markers+text" if layer in (0, len(positions) - 1) else "markers",
                                 text=names[layer], textposition="middle left" if layer == 0
                                 else "middle right", hovertext=names[layer], hoverinfo="text",
                                 showlegend=False,
                                 marker={"size": 16, "color": "white",
                                         "line": {"color": "#495057", "width": 2}}))
    fig.update_layout(height=max(260, 26 * max(sizes) + 60), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title={"text": "The trained network (inputs left, outputs right)", "x": 0.01},
                      plot_bgcolor="white")
    fig.update_xaxes(visible=False, range=[-0.8, len(sizes) - 0.2])
    fig.update_yaxes(visible=False)
    return fig


def _kernels(artifacts: dict) -> list[np.ndarray]:
    kernels, index = [], 0
    while f"weights_{index}" in artifacts:
        kernels.append(np.asarray(artifacts[f"weights_{index}"], dtype=float))
        index += 1
    return kernels


def _column(index: int, size: int) -> list[tuple[float, float]]:
    return [(float(index), (size - 1) / 2 - row) for row in range(size)]


def _node_names(info: dict, sizes: list[int]) -> list[list[str]]:
    inputs = [FEATURE_LABELS.get(name, name) for name in info["features"]]
    hidden = [[f"layer {layer} unit {unit + 1}" for unit in range(size)]
              for layer, size in enumerate(sizes[1:-1], start=1)]
    return [inputs, *hidden, [f"P({label})" for label in info["labels"]]]


def neuron_maps_figure(maps: np.ndarray, names: list[str]) -> go.Figure:
    """One small heatmap per hidden unit: its activation over the plane, on its own colour scale
    (blue its highest, orange its lowest), in rows of MAPS_PER_ROW."""
    count = len(maps)
    rows = -(-count // MAPS_PER_ROW)
    fig = make_subplots(rows=rows, cols=MAPS_PER_ROW, subplot_titles=list(names),
                        horizontal_spacing=0.015, vertical_spacing=0.06 if rows > 1 else 0.0)
    for index, values in enumerate(np.asarray(maps, dtype=float)):
        fig.add_trace(go.Heatmap(z=values, colorscale=[[0, NEGATIVE], [0.5, "#ffffff"], [1, POSITIVE]],
                                 showscale=False, hovertemplate="activation %{z:.3f}<extra></extra>"),
                      row=index // MAPS_PER_ROW + 1, col=index % MAPS_PER_ROW + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_annotations(font_size=10)
    fig.update_layout(height=40 + 115 * rows, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig

"""Figures for the GAN page: the 2-D game board, its snapshots, and the custom-points drawing pad."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dl_core.data.toy2d import EXTENT
from dl_core.topics.gan.snapshots import grid_axis

REAL = "#2f9e44"
FAKE = "#7048e8"
HEAT_SCALE = [[0.0, "#b197fc"], [0.5, "#ffffff"], [1.0, "#8ce99a"]]
DRAW_TICKS = 31


def board(artifacts: dict, index: int, height: int = 540) -> go.Figure:
    """Snapshot `index`: D's probability of 'real' behind G's z-mesh, real and generated points."""
    fig = go.Figure()
    axis = grid_axis()
    fig.add_trace(go.Heatmap(x=axis, y=axis, z=artifacts["snap_heat"][index], zmin=0, zmax=1,
                             colorscale=HEAT_SCALE, opacity=0.9, name="D(x)",
                             colorbar={"title": {"text": "D(x)"}, "len": 0.6},
                             hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>D=%{z:.2f}<extra></extra>"))
    xs, ys = mesh_lines(artifacts["snap_mesh"][index])
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="G(z grid)", hoverinfo="skip",
                             line={"color": "rgba(90,90,90,0.55)", "width": 1}))
    for name, points, colour in (("real", artifacts["real"], REAL),
                                 ("generated", artifacts["snap_fake"][index], FAKE)):
        fig.add_trace(go.Scattergl(x=points[:, 0], y=points[:, 1], mode="markers", name=name,
                                   marker={"color": colour, "size": 4, "opacity": 0.8}))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": 1.06})
    fig.update_xaxes(range=[-EXTENT, EXTENT], constrain="domain")
    fig.update_yaxes(range=[-EXTENT, EXTENT], scaleanchor="x", scaleratio=1)
    return fig


def mesh_lines(mesh: np.ndarray) -> tuple[list, list]:
    """Rows and columns of the mapped z grid as one polyline with None breaks (fast to draw)."""
    xs, ys = [], []
    for line in list(mesh) + list(np.transpose(mesh, (1, 0, 2))):
        if len(line) < 2:
            continue
        xs += list(line[:, 0]) + [None]
        ys += list(line[:, 1]) + [None]
    return xs, ys


def drawing_pad(points: np.ndarray | None = None, height: int = 420) -> go.Figure:
    """A grid of dots to lasso: the selected dots become the target distribution."""
    ticks = np.linspace(-2.5, 2.5, DRAW_TICKS)
    xx, yy = np.meshgrid(ticks, ticks)
    fig = go.Figure(go.Scatter(x=xx.ravel(), y=yy.ravel(), mode="markers", name="pad",
                               marker={"color": "#ced4da", "size": 6},
                               selected={"marker": {"color": REAL, "size": 8}}))
    if points is not None:
        fig.add_trace(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers", name="current target",
                                 marker={"color": REAL, "size": 4, "opacity": 0.6}))
    fig.update_layout(height=height, dragmode="lasso", margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      showlegend=False)
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig

"""Figures of the Gradient descent page: the loss surface (contour or 3-D), paths drawn on it up
to a chosen step, and the loss per step. They draw arrays computed in dl_core; no maths here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ui.charts import SERIES_COLOURS

PICK_GRID = 25  # clickable start points per side of the map
SURFACE_HEIGHT = 520


@dataclass(frozen=True)
class Path:
    label: str
    points: np.ndarray  # (k+1, 2): w after every step, the start first
    losses: np.ndarray  # (k+1,): the full-data loss at each point
    diverged_at: int | None = None


def colour(index: int) -> str:
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]


def contour_figure(w1: np.ndarray, w2: np.ndarray, losses: np.ndarray, minimum: tuple[float, float],
                   paths: list[Path], upto: int, names: tuple[str, str] = ("w₁", "w₂"),
                   pickable: bool = True, log_colours: bool = True) -> go.Figure:
    """The surface as filled contours ("the colours are the loss", on a log scale so the valley
    floor keeps its detail), the minimum as a star, each path up to step `upto`, and, when
    `pickable`, a grid of invisible points a click selects as the start."""
    shown = np.log10(np.maximum(losses, 1e-12)) if log_colours else losses
    fig = go.Figure(go.Contour(x=w1, y=w2, z=shown, colorscale="Viridis", ncontours=30,
                               customdata=losses, line={"width": 0.5},
                               colorbar={"title": {"text": "log₁₀ L" if log_colours else "L"},
                                         "thickness": 14},
                               hovertemplate=f"{names[0]} %{{x:.3f}}, {names[1]} %{{y:.3f}}<br>"
                                             "L = %{customdata:.4g}<extra></extra>"))
    if pickable:
        grid_1 = np.linspace(w1[0], w1[-1], PICK_GRID)
        grid_2 = np.linspace(w2[0], w2[-1], PICK_GRID)
        g1, g2 = np.meshgrid(grid_1, grid_2)
        fig.add_trace(go.Scatter(x=g1.ravel(), y=g2.ravel(), mode="markers", name="start here",
                                 showlegend=False, marker={"size": 14, "opacity": 0.01,
                                                           "color": "white"},
                                 hovertemplate="click: start at (%{x:.2f}, %{y:.2f})<extra></extra>"))
    for index, path in enumerate(paths):
        _path_trace(fig, path, upto, colour(index))
    fig.add_trace(go.Scatter(x=[minimum[0]], y=[minimum[1]], mode="markers", name="minimum",
                             marker={"symbol": "star", "size": 18, "color": "white",
                                     "line": {"color": "black", "width": 1.5}}))
    fig.update_layout(height=SURFACE_HEIGHT, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis_title=names[0], yaxis_title=names[1], clickmode="event+select",
                      legend={"orientation": "h", "y": 1.08})
    fig.update_xaxes(range=[float(w1[0]), float(w1[-1])])
    fig.update_yaxes(range=[float(w2[0]), float(w2[-1])])
    return fig


def _path_trace(fig: go.Figure, path: Path, upto: int, line_colour: str) -> None:
    points = path.points[: upto + 1]
    fig.add_trace(go.Scatter(x=points[:, 0], y=points[:, 1], mode="lines+markers", name=path.label,
                             line={"color": line_colour, "width": 2.5},
                             marker={"size": 5, "color": line_colour},
                             hovertemplate="step %{customdata}<extra>" + path.label + "</extra>",
                             customdata=np.arange(len(points))))
    fig.add_trace(go.Scatter(x=[points[0, 0]], y=[points[0, 1]], mode="markers", showlegend=False,
                             hoverinfo="skip", marker={"size": 12, "color": line_colour,
                                                       "symbol": "circle-open",
                                                       "line": {"width": 3}}))


def surface_3d_figure(w1: np.ndarray, w2: np.ndarray, losses: np.ndarray, paths: list[Path],
                      upto: int, names: tuple[str, str] = ("w₁", "w₂")) -> go.Figure:
    """The same surface in 3-D, each path drawn on it at its own loss."""
    fig = go.Figure(go.Surface(x=w1, y=w2, z=losses, colorscale="Viridis", opacity=0.9,
                               showscale=False, contours={"z": {"show": True, "width": 1}}))
    for index, path in enumerate(paths):
        points, values = path.points[: upto + 1], path.losses[: upto + 1]
        fig.add_trace(go.Scatter3d(x=points[:, 0], y=points[:, 1], z=values, mode="lines+markers",
                                   name=path.label, line={"color": colour(index), "width": 6},
                                   marker={"size": 3, "color": colour(index)}))
    fig.update_layout(height=SURFACE_HEIGHT, margin={"l": 0, "r": 0, "t": 30, "b": 0},
                      scene={"xaxis_title": names[0], "yaxis_title": names[1], "zaxis_title": "L"},
                      legend={"orientation": "h", "y": 1.02})
    return fig


def loss_per_step_figure(paths: list[Path], minimum_loss: float, upto: int) -> go.Figure:
    """Each path's full-data loss per step (log scale), the minimum as a dotted line."""
    fig = go.Figure()
    for index, path in enumerate(paths):
        values = path.losses[: upto + 1]
        fig.add_trace(go.Scatter(x=np.arange(len(values)), y=values, mode="lines", name=path.label,
                                 line={"color": colour(index), "width": 2.5}))
    fig.add_hline(y=minimum_loss, line_dash="dot", line_color="#495057",
                  annotation_text="minimum", annotation_position="bottom right")
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 30, "b": 10}, xaxis_title="step",
                      yaxis={"type": "log", "title": "loss on the whole training set (log)"},
                      legend={"orientation": "h", "y": -0.25})
    return fig

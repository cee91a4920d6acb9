"""Plotly figures for the Sequences page (no computation: the arrays come from dl_core)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.charts import SERIES_COLOURS

MODEL, ACTUAL, PERSIST, MA = SERIES_COLOURS[0], "#495057", SERIES_COLOURS[1], SERIES_COLOURS[2]
REGIONS = (("train", "#d0ebff"), ("validation", "#fff3bf"), ("test", "#ffe3e3"))
LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h"}}
# Charts with an x-axis title: the legend goes below that title instead of over it.
TITLED = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10},
          "legend": {"orientation": "h", "yanchor": "top", "y": -0.28}}


def history_figure(dates: np.ndarray, prices: np.ndarray, bounds: tuple[int, int],
                   title: str = "The whole series, cut in time") -> go.Figure:
    fig = go.Figure(go.Scatter(x=dates, y=prices, name="price", line={"color": ACTUAL}))
    edges = [0, bounds[0], bounds[1], len(dates) - 1]
    for (name, colour), start, end in zip(REGIONS, edges[:-1], edges[1:]):
        fig.add_vrect(x0=dates[start], x1=dates[end], fillcolor=colour, opacity=0.6, line_width=0,
                      layer="below", annotation_text=name, annotation_position="top left")
    fig.update_layout(title=title, height=330, yaxis_title="price", **LAYOUT)
    return fig


def one_step_figure(dates, prices, anchors, model, moving_average, tail: int = 120) -> go.Figure:
    """The last `tail` test days: price, the model's one-step forecast, and both baselines."""
    anchors = anchors[-tail:]
    days = dates[anchors + 1]
    fig = go.Figure()
    fig.add_scatter(x=days, y=prices[anchors + 1], name="actual price", line={"color": ACTUAL, "width": 3})
    fig.add_scatter(x=days, y=model[-tail:, 0], name="model (one step ahead)", line={"color": MODEL})
    fig.add_scatter(x=days, y=prices[anchors], name="persistence = yesterday's price",
                    line={"color": PERSIST, "dash": "dot"})
    fig.add_scatter(x=days, y=moving_average[-tail:, 0], name="moving average",
                    line={"color": MA, "dash": "dash"}, visible="legendonly")
    fig.update_layout(title="One-step forecasts on the test period", height=360, yaxis_title="price",
                      **LAYOUT)
    return fig


def recursive_figure(dates, prices, start: int, path: np.ndarray) -> go.Figure:
    """Left: the recursive forecast against the price. Right: its absolute error by step."""
    steps = np.arange(1, len(path) + 1)
    actual = prices[start + steps]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4],
                        subplot_titles=("Feeding forecasts back in", "Absolute error by step"))
    days = dates[start + steps]
    fig.add_scatter(x=dates[start - 30:start + 1], y=prices[start - 30:start + 1], name="known history",
                    line={"color": "#adb5bd"}, row=1, col=1)
    fig.add_scatter(x=days, y=actual, name="actual price", line={"color": ACTUAL, "width": 3}, row=1, col=1)
    fig.add_scatter(x=days, y=path, name="model, recursive", line={"color": MODEL}, row=1, col=1)
    fig.add_scatter(x=days, y=np.full(len(path), prices[start]), name="persistence",
                    line={"color": PERSIST, "dash": "dot"}, row=1, col=1)
    fig.add_scatter(x=steps, y=np.abs(path - actual), name="model error", showlegend=False,
                    line={"color": MODEL}, row=1, col=2)
    fig.add_scatter(x=steps, y=np.abs(prices[start] - actual), name="persistence error",
                    showlegend=False, line={"color": PERSIST, "dash": "dot"}, row=1, col=2)
    fig.update_xaxes(title_text="steps ahead", row=1, col=2)
    fig.update_layout(height=360, **LAYOUT)
    return fig


def future_figure(dates, prices, future_dates, future, direct, tail: int = 120) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=dates[-tail:], y=prices[-tail:], name="price", line={"color": ACTUAL})
    fig.add_scatter(x=np.concatenate([dates[-1:], future_dates]), y=np.concatenate([prices[-1:], future]),
                    name="recursive forecast", line={"color": MODEL, "dash": "dash"})
    if len(direct) > 1:
        fig.add_scatter(x=future_dates[:len(direct)], y=direct, name=f"direct {len(direct)}-step output",
                        mode="markers", marker={"color": SERIES_COLOURS[3]})
    fig.update_layout(title="Forecast after the last date", height=330, yaxis_title="price", **LAYOUT)
    return fig


def scores_table(metrics: dict) -> pd.DataFrame:
    """Model and baselines side by side, on the test period."""
    rows = {"model": "model", "persistence": "persistence (tomorrow = today)",
            "moving_average": "moving average"}
    table = {label: {"RMSE": metrics[f"test_{key}_rmse"], "MAE": metrics[f"test_{key}_mae"],
                     "MAPE %": metrics[f"test_{key}_mape"],
                     "direction accuracy": metrics[f"test_{key}_direction_accuracy"]}
             for key, label in rows.items()}
    return pd.DataFrame(table).T


def gates_figure(window: np.ndarray, gates: dict[str, np.ndarray]) -> go.Figure:
    """The input window on top, then one heatmap (unit × time) per gate/state."""
    names = (("forget", "f_t forget gate", "Blues", 0, 1), ("input", "i_t input gate", "Greens", 0, 1),
             ("output", "o_t output gate", "Oranges", 0, 1), ("cell", "C_t cell state", "RdBu", None, None),
             ("hidden", "h_t hidden state", "RdBu", -1, 1))
    # Room between rows for each subplot's title (at 0.025 they crowded the heatmap above).
    fig = make_subplots(rows=len(names) + 1, cols=1, shared_xaxes=True, vertical_spacing=0.055,
                        subplot_titles=["input window x_t (scaled)"] + [n[1] for n in names])
    steps = np.arange(1, len(window) + 1)
    fig.add_scatter(x=steps, y=window, mode="lines+markers", line={"color": ACTUAL}, showlegend=False,
                    row=1, col=1)
    for row, (key, label, scale, low, high) in enumerate(names, start=2):
        values = gates[key].T  # units × time
        if low is None:
            bound = float(np.abs(values).max()) or 1.0
            low, high = -bound, bound
        bottom, top = fig.layout[f"yaxis{row}"].domain  # each heatmap's colour bar beside its own row
        fig.add_heatmap(z=values, x=steps, colorscale=scale, zmin=low, zmax=high,
                        colorbar={"y": (bottom + top) / 2, "len": top - bottom, "yanchor": "middle",
                                  "thickness": 12, "title": {"text": label.split()[0], "side": "right"}},
                        hovertemplate=f"t=%{{x}}, unit %{{y}}: {label.split()[0]}=%{{z:.3f}}<extra></extra>",
                        row=row, col=1)
        fig.update_yaxes(title_text="unit", row=row, col=1)
    fig.update_xaxes(title_text="time step t in the window", row=len(names) + 1, col=1)
    fig.update_layout(height=1200, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def memory_accuracy_figure(lags, rnn, lstm) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=lags, y=rnn, name="SimpleRNN", mode="lines+markers", line={"color": PERSIST})
    fig.add_scatter(x=lags, y=lstm, name="LSTM", mode="lines+markers", line={"color": MODEL})
    fig.add_hline(y=0.1, line_dash="dot", annotation_text="always answering 0")
    fig.update_layout(title="Recall accuracy against the lag k", xaxis_title="k (steps back)",
                      yaxis_title="validation accuracy (±0.1)", yaxis_range=[0, 1.05], height=380, **TITLED)
    return fig


def gradient_figure(curves: dict[str, np.ndarray], factors: dict[str, float],
                    longest_lag: int) -> go.Figure:
    """Batch mean of ‖∂L/∂x_{T−k}‖ against k (index k of each curve), log scale; the legend gives
    each curve's fitted factor per step back."""
    fig = go.Figure()
    styles = {"SimpleRNN": PERSIST, "LSTM": MODEL}
    for name, values in curves.items():
        cell, stage = name.split(", ")
        fig.add_scatter(x=np.arange(len(values)), y=values, name=f"{name}: ×{factors[name]:.3f} per step",
                        mode="lines", line={"color": styles[cell], "dash": "dot" if stage == "untrained" else "solid"},
                        hovertemplate="k=%{x}: %{y:.3g}<extra>" + name + "</extra>")
    fig.add_vline(x=longest_lag, line_dash="dot", line_color="#868e96",
                  annotation_text=f"longest lag {longest_lag}", annotation_position="top left")
    fig.update_layout(title="Gradient reaching the input k steps back", xaxis_title="k (steps before the last input)",
                      yaxis_title="mean ‖∂L/∂x<sub>T−k</sub>‖ (log scale)", yaxis_type="log",
                      yaxis_exponentformat="power", height=380, **TITLED)
    return fig

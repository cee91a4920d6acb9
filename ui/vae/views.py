"""Charts and panels of the VAE page that need no model: loss terms, KL bars, heatmap, scatter."""

from __future__ import annotations

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dl_core.source import function_source
from dl_core.topics.vae import metrics as vae_metrics
from ui.charts import CATEGORY_COLOURS, heatmap, history_chart, image_grid_figure

MODEL_FILE = "dl_core/models/vae.py"
LOSS_PARTS = ("reparameterise", "kl_per_dimension", "kl_divergence", "reconstruction_loss",
              "Sampling")
NETWORK_PARTS = {"dense": ("build_dense_encoder", "build_dense_decoder"),
                 "conv": ("build_encoder", "build_decoder")}


def loss_term_charts(history: dict, key: str, total_epochs: int | None = None) -> None:
    """Reconstruction and KL side by side: they pull in opposite directions and differ in scale."""
    left, right = st.columns(2)
    for column, term, title in ((left, "reconstruction", "Reconstruction (nats per image)"),
                                (right, "kl", "KL to the prior (nats per image)")):
        series = {name: values for name, values in history.items()
                  if name in (term, f"val_{term}")}
        with column:
            st.plotly_chart(history_chart(series, title=title, total_epochs=total_epochs),
                            key=f"{key}_{term}")


STATE_COLOURS = {vae_metrics.ACTIVE: "#3b5bdb", vae_metrics.STILL: "#e8a33d",
                 vae_metrics.COLLAPSED: "#adb5bd"}


def kl_bar_chart(kl: np.ndarray, states: list[str]) -> go.Figure:
    """KL per dimension, coloured by what the dimension does (active, still, collapsed)."""
    fig = go.Figure(go.Bar(x=[f"z{j + 1}" for j in range(len(kl))], y=kl,
                           marker_color=[STATE_COLOURS[state] for state in states],
                           customdata=states,
                           hovertemplate="%{x}: %{y:.3f} nats, %{customdata}<extra></extra>"))
    fig.add_hline(y=vae_metrics.ACTIVE_KL, line_dash="dot", line_color="#e8590c",
                  annotation_text="collapsed below this", annotation_position="top right")
    fig.update_layout(height=300, yaxis_title="KL (nats, validation mean)",
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def association_heatmap(association: np.ndarray, factors: list[str]) -> go.Figure:
    labels = [f"z{j + 1}" for j in range(association.shape[0])]
    return heatmap(association, factors, labels, "|r| or η", zmin=0, zmax=1, text_format=".2f",
                   x_title="generating factor", y_title="latent")


def _signed(value: float) -> str:
    return f"{value:+g}".replace("-", "−") if value else "0"


def dimension_labels(kl: np.ndarray, states: list[str]) -> list[str]:
    """'z1 · KL 0.85' per latent dimension; one that is not active greyed and called what it is,
    as in the KL bars."""
    labels = []
    for j, (value, state) in enumerate(zip(np.asarray(kl, float), states)):
        label = f"z{j + 1} · KL {value:.2f}"
        if state == vae_metrics.ACTIVE:
            labels.append(label)
        else:
            labels.append(f"<span style='color:#868e96'>{label} · {STATE_WORDS[state]}</span>")
    return labels


STATE_WORDS = {vae_metrics.STILL: "barely visible", vae_metrics.COLLAPSED: "collapsed"}


def traversal_figure(images: np.ndarray, kl: np.ndarray, states: list[str], values: np.ndarray,
                     display_width: int = 860) -> go.Figure:
    """A traversal (d × steps × S × S): row j labelled z_j with its KL, columns with the value."""
    return image_grid_figure(images, dimension_labels(kl, states), [_signed(float(v)) for v in values],
                             x_title="value given to that row's z (the others stay put)",
                             gap=max(2, images.shape[-1] // 10), display_width=display_width)


def manifold_figure(images: np.ndarray, dims: list[int], values: np.ndarray,
                    display_width: int = 430) -> go.Figure:
    """The decoded grid over two dimensions, each axis labelled with its dimension's values."""
    first, second = dims
    ticks = [_signed(float(v)) for v in values]
    return image_grid_figure(images, ticks[::-1], ticks, x_title=f"z{first + 1}",
                             y_title=f"z{second + 1}", gap=0, display_width=display_width,
                             max_cell=40, label_room=60)


def latent_scatter(mu: np.ndarray, dims: list[int], colour: np.ndarray, colour_name: str,
                   categories: list[str] | None = None) -> go.Figure:
    first, second = dims
    kwargs = {}
    if categories is not None:
        colour = np.asarray(categories)[colour.astype(int)]
        kwargs["category_orders"] = {"color": list(categories)}
        kwargs["color_discrete_sequence"] = CATEGORY_COLOURS
    fig = px.scatter(x=mu[:, first], y=mu[:, second], color=colour, height=460,
                     labels={"x": f"μ of z{first + 1}", "y": f"μ of z{second + 1}",
                             "color": colour_name}, **kwargs)
    fig.update_traces(marker={"size": 5, "opacity": 0.75})
    fig.update_xaxes(range=[-3.5, 3.5])
    fig.update_yaxes(range=[-3.5, 3.5])
    return fig


def code_panel(architecture: str) -> None:
    """The loss maths, the chosen encoder and decoder, and the model class that joins them."""
    parts = LOSS_PARTS + NETWORK_PARTS[architecture] + ("VAE", "build_vae")
    with st.expander("The Keras code of this model", expanded=False):
        source = "\n\n\n".join(function_source(MODEL_FILE, name) for name in parts)
        st.code(source, language="python")

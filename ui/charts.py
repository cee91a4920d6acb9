"""Plotly charts and image display shared by the pages."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

SERIES_COLOURS = ("#3b5bdb", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#1098ad")
# Classes told apart by colour alone: the Okabe-Ito palette, distinct for colour-blind readers too.
CATEGORY_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                    "#000000", "#999999", "#882255")


def history_chart(history: dict[str, list[float]], title: str = "Loss per epoch",
                  total_epochs: int | None = None, y_title: str = "loss") -> go.Figure:
    """One line per metric; validation curves dashed, in the colour of their training curve."""
    fig = go.Figure()
    bases = [name for name in history if not name.startswith("val_")]
    bases += [name[4:] for name in history if name.startswith("val_") and name[4:] not in bases]
    for index, base in enumerate(bases):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        for name, dash, label in ((base, "solid", "train"), (f"val_{base}", "dash", "validation")):
            values = history.get(name)
            if values:
                fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values,
                                         name=f"{base} ({label})", mode="lines+markers",
                                         line={"color": colour, "dash": dash}))
    # Below the plot the legend covered the x-axis title, so it sits above the plot instead.
    # The title at the very top, the legend between it and the plot (room for two rows of it).
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top",
                             "yref": "container"},
                      xaxis_title="epoch", yaxis_title=y_title, height=360,
                      margin={"l": 10, "r": 10, "t": 95, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0})
    if total_epochs:
        fig.update_xaxes(range=[0.5, total_epochs + 0.5], dtick=max(1, total_epochs // 10))
    if not fig.data:  # before the first epoch: say so instead of drawing empty axes
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.add_annotation(text="The curves appear here after the first epoch.", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 14, "color": "#5c6370"})
    return fig


def upscale(image: np.ndarray, factor: int = 4) -> np.ndarray:
    """Nearest-neighbour enlargement, so 28×28 pixels stay crisp squares instead of a blur."""
    array = np.asarray(image, dtype=np.uint8)
    pil = Image.fromarray(array)
    return np.asarray(pil.resize((pil.width * factor, pil.height * factor), Image.NEAREST))


def show_pixels(image: np.ndarray, caption: str | None = None, factor: int = 4) -> None:
    st.image(upscale(image, factor), caption=caption, output_format="PNG")  # JPEG smears pixels

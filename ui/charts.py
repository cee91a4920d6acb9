"""Plotly charts and image display shared by the pages.

One style for every page: `history_chart` for curves per epoch, `heatmap` for any matrix of
values (always with its colour bar), `image_grid_figure` for pictures in labelled rows and
columns, `colour_bar_image` for the scale of a colour-coded picture, and the Okabe-Ito
CATEGORY_COLOURS for classes told apart by colour.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image, ImageDraw, ImageFont

from dl_core.pictures import image_grid

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


def heatmap(z, x: list[str], y: list[str], colour_title: str, *, zmin: float | None = None,
            zmax: float | None = None, colorscale: str = "Blues", text_format: str | None = None,
            x_title: str | None = None, y_title: str | None = None,
            row_height: int = 34) -> go.Figure:
    """A matrix as a heatmap, first row at the top, always with a titled colour bar.

    `text_format` (e.g. ".2f") writes each cell's value into it as well.
    """
    values = np.asarray(z, dtype=float)
    trace = go.Heatmap(z=values, x=list(x), y=list(y), zmin=zmin, zmax=zmax, colorscale=colorscale,
                       showscale=True, colorbar={"title": {"text": colour_title}, "thickness": 14},
                       hovertemplate="%{y}, %{x}: %{z:.3f}<extra></extra>")
    if text_format:
        trace.update(text=values, texttemplate=f"%{{z:{text_format}}}")
    fig = go.Figure(trace)
    fig.update_layout(height=90 + row_height * len(y), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis_title=x_title, yaxis_title=y_title)
    fig.update_yaxes(autorange="reversed")
    return fig


def _png_data_uri(picture: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(picture, np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def image_grid_figure(cells: np.ndarray, row_labels: list[str], column_labels: list[str], *,
                      x_title: str = "", y_title: str = "", gap: int = 2,
                      display_width: int = 860, max_cell: int = 84,
                      label_room: int = 120) -> go.Figure:
    """Pictures (rows × columns × H × W uint8, grayscale) in one grid with gaps, each row and
    column named on its axis.

    One image trace (drawn with crisp pixels), its ticks at the centre of each row and column.
    The height is chosen so that, in a column about `display_width` pixels wide of which the row
    labels take `label_room`, every cell is at most `max_cell` pixels; the image keeps its
    aspect and stays next to its row labels.
    """
    cells = np.asarray(cells)
    rows, columns, height, width = cells.shape[:4]
    picture = image_grid([row.astype(np.float32) / 255.0 for row in cells], gap=gap)
    margin = {"l": 10, "r": 10, "t": 10, "b": 50 if x_title else 30}
    room = max(100, display_width - label_room)
    scale = min(room / picture.shape[1], max_cell / max(height, width))
    fig = go.Figure(go.Image(source=_png_data_uri(np.stack([picture] * 3, axis=-1)),
                             hoverinfo="skip"))
    fig.update_xaxes(tickvals=[c * (width + gap) + (width - 1) / 2 for c in range(columns)],
                     ticktext=list(column_labels), title=x_title, showgrid=False, zeroline=False,
                     constrain="domain", constraintoward="left", ticks="", fixedrange=True)
    fig.update_yaxes(tickvals=[r * (height + gap) + (height - 1) / 2 for r in range(rows)],
                     ticktext=list(row_labels), title=y_title, showgrid=False, zeroline=False,
                     scaleanchor="x", constrain="domain", constraintoward="top", ticks="",
                     fixedrange=True)
    fig.update_layout(height=int(margin["t"] + margin["b"] + picture.shape[0] * scale),
                      margin=margin, plot_bgcolor="white", dragmode=False)
    return fig


def colour_bar_image(colours, width: int, ticks: list[tuple[float, str]], title: str = "",
                     bar_height: int = 12) -> np.ndarray:
    """A horizontal colour bar with tick labels under it, as an RGB picture `width` pixels wide.

    `colours` maps values in [0, 1] (an array) to RGB uint8 colours (the array with a last axis
    of 3); `ticks` are (value in [0, 1], label) pairs. For pictures drawn by numpy, where no
    plotting library draws the scale: shown at its own width, its text stays crisp.
    """
    font = ImageFont.load_default(size=12)
    line = 15
    canvas = Image.new("RGB", (width, bar_height + 6 + line * (2 if title else 1)), "white")
    ramp = np.asarray(colours(np.linspace(0.0, 1.0, width - 2)), np.uint8)
    canvas.paste(Image.fromarray(np.repeat(ramp[None], bar_height, axis=0)), (1, 0))
    draw = ImageDraw.Draw(canvas)
    for value, label in ticks:
        x = 1 + value * (width - 3)
        draw.line([(x, bar_height), (x, bar_height + 3)], fill=(73, 80, 87))
        text_width = draw.textlength(label, font=font)
        left = min(max(0.0, x - text_width / 2), width - text_width)  # kept inside the picture
        draw.text((left, bar_height + 4), label, fill=(52, 58, 64), font=font)
    if title:
        text_width = draw.textlength(title, font=font)
        draw.text(((width - text_width) / 2, bar_height + 4 + line), title, fill=(92, 99, 112), font=font)
    return np.asarray(canvas)

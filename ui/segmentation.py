"""Views for the segmentation page: the U-Net drawing, the epoch timeline and the comparison."""

from __future__ import annotations

import pandas  # noqa: F401  (imported here, once: plotly's lazy import raced the live fragment)
import plotly.graph_objects as go
import streamlit as st

from dl_core.engine.cache import Entry
from dl_core.topics.segmentation.shapes import Level
from ui.charts import show_pixels

PART_COLOURS = {"input": "#868e96", "encoder": "#3b5bdb", "bottleneck": "#ae3ec9",
                "decoder": "#2f9e44", "output": "#e8590c"}
TIMELINE_EPOCHS = (0, 1, 4, 8, 12, 16, 20)  # the course notes' ep0…ep20 slides


def _position(row: Level, depth: int) -> tuple[float, float]:
    """Encoder down the left, decoder up the right: the 'U'."""
    if row.part == "input":
        return -1.0, 0.0
    if row.part == "output":
        return 2.0 * depth + 1, 0.0
    if row.part == "decoder":
        return 2.0 * depth - row.level, -row.level
    return float(row.level), -row.level


def unet_figure(rows: list[Level], depth: int, skip_connections: bool) -> go.Figure:
    """Boxes labelled with each level's tensor shape; dashed arrows are the skip connections."""
    boxes = [r for r in rows if not r.name.startswith("up_")]
    upsampling = {r.level: r.operation for r in rows if r.name.startswith("up_")}
    where = {r.name: _position(r, depth) for r in boxes}
    fig = go.Figure()
    for start, end in zip(boxes, boxes[1:]):
        (x0, y0), (x1, y1) = where[start.name], where[end.name]
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=2, arrowwidth=1.5, arrowcolor="#495057",
                           standoff=22, startstandoff=22, text="")
        if y0 != y1:  # a change of level: say how the size was halved or doubled
            label = upsampling[end.level] if end.part == "decoder" else end.operation
            fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=label.split(",")[0],
                               showarrow=False, font={"size": 9, "color": "#868e96"},
                               xanchor="right" if end.part != "decoder" else "left")
    if skip_connections:
        for level in range(depth):
            (x0, y0), (x1, y1) = where[f"enc_{level}"], where[f"dec_{level}"]
            fig.add_shape(type="line", x0=x0 + 0.35, y0=y0, x1=x1 - 0.35, y1=y1,
                          line={"color": "#f08c00", "dash": "dash", "width": 2})
            fig.add_annotation(x=(x0 + x1) / 2, y=y0 + 0.12, text="skip: concatenate",
                               showarrow=False, font={"size": 10, "color": "#f08c00"})
    for part, colour in PART_COLOURS.items():
        chosen = [r for r in boxes if r.part == part]
        if not chosen:
            continue
        fig.add_trace(go.Scatter(
            x=[where[r.name][0] for r in chosen], y=[where[r.name][1] for r in chosen],
            mode="markers+text", name=part, textposition="bottom center",
            marker={"symbol": "square", "size": [14 + 3 * r.channels ** 0.5 for r in chosen],
                    "color": colour},
            text=[f"{r.name}<br>{r.size}×{r.size}×{r.channels}" for r in chosen],
            hovertext=[r.operation for r in chosen], hoverinfo="text"))
    fig.update_layout(height=140 + 90 * depth, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      legend={"orientation": "h"}, plot_bgcolor="white",
                      xaxis={"visible": False, "range": [-1.7, 2 * depth + 1.7]},
                      yaxis={"visible": False, "range": [-depth - 0.9, 0.5]})
    return fig


def shape_table(rows: list[Level]) -> list[dict]:
    return [{"layer": r.name, "part": r.part, "shape (H×W×C)": f"{r.size}×{r.size}×{r.channels}",
             "made by": r.operation} for r in rows]


def epoch_timeline(entry: Entry, page: str) -> None:
    """A slider over the per-epoch previews, then the notes' ep0…ep20 strip."""
    previews = entry.previews()
    last = len(previews) - 1
    epoch = st.slider("Epoch", 0, last, last, key=f"{page}_epoch",
                      help="Scrub through training: epoch 0 is the untrained model.")
    show_pixels(previews[epoch], factor=2,
                caption=f"Fixed validation images after epoch {epoch}. Rows: input / ground "
                        "truth / prediction (orange = pet or object, blue = background, "
                        "yellow = border).")
    strip = [e for e in TIMELINE_EPOCHS if e <= last] or [0]
    if last not in strip:
        strip.append(last)
    st.caption("The same images at the epochs of the course notes' slides:")
    columns = st.columns(len(strip))
    for column, index in zip(columns, strip):
        with column:
            st.image(previews[index], caption=f"epoch {index}", output_format="PNG")


def comparison(with_skips: Entry | None, without_skips: Entry | None) -> None:
    """The same setting with and without skip connections, both read from the cache."""
    columns = st.columns(2)
    for column, entry, title in ((columns[0], with_skips, "With skip connections (U-Net)"),
                                 (columns[1], without_skips, "Without skip connections")):
        with column:
            st.markdown(f"**{title}**")
            if entry is None:
                st.info("Not trained yet: flip **Skip connections** in the form above and press "
                        "**Train** to fill this side.")
                continue
            metrics = entry.metrics
            st.metric("Validation mean IoU", f"{metrics['val_mean_iou']:.3f}")
            st.caption(f"pixel accuracy {metrics['val_pixel_accuracy']:.3f} · Dice "
                       f"{metrics['val_dice']:.3f} · {entry.meta['seconds']:.0f} s")
            show_pixels(entry.previews()[-1], factor=1, caption="after the last epoch")

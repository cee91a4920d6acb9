"""Views for the segmentation page: the shape table, the epoch timeline and the comparison.

The U-Net drawing is in ui/unet_diagram.py."""

from __future__ import annotations

import pandas  # noqa: F401  (imported here, once: plotly's lazy import raced the live fragment)
import streamlit as st

from dl_core.engine.cache import Entry
from dl_core.topics.segmentation.shapes import Level
from ui.charts import show_pixels

TIMELINE_EPOCHS = (0, 1, 4, 8, 12, 16, 20)  # the course notes' ep0…ep20 slides


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

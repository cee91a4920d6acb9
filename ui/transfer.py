"""Widgets and charts of the transfer-learning page (rendering only; the numbers come from dl_core)."""

from __future__ import annotations

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from dl_core.data import image_folders
from dl_core.data.transfer_target import find_target, uploads_root
from dl_core.images import ImageError, decode_image_info
from dl_core.topics.transfer.gradcam import SCALE_NOTE, SCALE_TICKS, heat_colours
from dl_core.topics.transfer.metrics import Prediction, cell_members, confusion_matrix
from dl_core.uploads import store_upload
from ui.charts import CATEGORY_COLOURS, SERIES_COLOURS, colour_bar_image
from ui.image_upload import UPLOAD_TYPES
from ui.text import inert

STRATEGY_NAMES = {"scratch": "from scratch", "feature": "feature extraction", "finetune": "fine-tuning"}


# -- the learner's own classes --------------------------------------------------------------
def own_classes(page: str) -> str | None:
    """Per-class uploads or a zip of class folders → a private, content-addressed data path.

    Returns None (after saying why) while the input is incomplete or invalid.
    """
    how = st.radio("Bring your images as", ["one upload per class", "a zip of class folders"],
                   key=f"{page}_own_how", horizontal=True)
    if how == "a zip of class folders":
        upload = st.file_uploader("Zip of class folders (class_name/image.jpg, or train/ and val/)",
                                  type=["zip"], key=f"{page}_zip")
        if upload is None:
            return None
        return _checked(str(store_upload(upload.getvalue(), ".zip")))
    count = st.number_input("Number of classes", image_folders.MIN_CLASSES, image_folders.MAX_CLASSES,
                            2, key=f"{page}_class_count")
    classes, unreadable = [], []
    columns = st.columns(min(int(count), 4))
    for index in range(int(count)):
        with columns[index % len(columns)]:
            name = st.text_input(f"Class {index + 1} name", key=f"{page}_class_name_{index}",
                                 placeholder=f"e.g. {('cats', 'dogs', 'mugs', 'plants')[index % 4]}")
            files = st.file_uploader(f"Images of class {index + 1}", type=UPLOAD_TYPES,
                                     accept_multiple_files=True, key=f"{page}_class_files_{index}")
        good = []
        for file in files or []:
            try:
                decode_image_info(file.getvalue(), max_bytes=20_000_000, max_side=512)  # a check only
                good.append(file.getvalue())
            except ImageError as err:
                unreadable.append(f"{inert(file.name)}: {inert(err)}")
        classes.append((name, good))
    if unreadable:
        st.warning("Skipped files that are not readable images:  \n" + "  \n".join(unreadable))
    if not all(name.strip() for name, _ in classes) or not all(files for _, files in classes):
        st.info("Name every class and upload its images (at least "
                f"{image_folders.MIN_TRAIN_PER_CLASS + image_folders.MIN_VAL_PER_CLASS} each).")
        return None
    try:
        return _checked(str(image_folders.store_class_uploads(classes, uploads_root())))
    except ValueError as err:
        st.error(f"These classes cannot be used: {inert(err)}.")
        return None


def _checked(path: str) -> str | None:
    try:
        target = find_target("ants_bees", path)
    except ValueError as err:
        st.error(f"This data cannot be used: {inert(err)}.")
        return None
    st.caption(f"Ready: {inert(target.name)}. Your images stay private: they are stored under a name made "
               "from their content, and only that hash enters the shared model cache key.")
    return path


# -- results --------------------------------------------------------------------------------
def comparison_chart(runs: dict[str, dict]) -> go.Figure:
    """Validation accuracy per epoch, one line per strategy that has been trained."""
    fig = go.Figure()
    for index, (strategy, history) in enumerate(runs.items()):
        values = history.get("val_accuracy", [])
        fig.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines+markers",
                                 name=STRATEGY_NAMES[strategy],
                                 line={"color": SERIES_COLOURS[index % len(SERIES_COLOURS)]}))
    fig.update_layout(title="Validation accuracy per epoch", xaxis_title="epoch",
                      yaxis_title="validation accuracy", yaxis_range=[0, 1.02], height=340,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend={"orientation": "h"})
    return fig


def confusion_view(page: str, artifacts: dict, labels: list[str]) -> None:
    true, predicted = artifacts["val_labels"], artifacts["val_predicted"]
    counts = confusion_matrix(true, predicted, len(labels))
    fig = go.Figure(go.Heatmap(z=counts, x=[f"called {n}" for n in labels], y=[f"is {n}" for n in labels],
                               text=counts, texttemplate="%{text}", colorscale="Blues", showscale=False))
    fig.update_layout(title="Confusion matrix (validation)", height=120 + 60 * len(labels),
                      yaxis_autorange="reversed", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    left, right = st.columns([1, 1])
    with left:
        event = st.plotly_chart(fig, key=f"{page}_confusion", on_select="rerun",
                                selection_mode="points")
    cells = [(a, c) for a in range(len(labels)) for c in range(len(labels)) if a != c and counts[a, c]]
    clicked = _clicked_cell(event, labels)
    with right:
        options = [(a, c) for a in range(len(labels)) for c in range(len(labels))]
        key = f"{page}_cell_pick"
        if clicked is not None:
            st.session_state[key] = clicked  # a click on the chart moves the picker
        elif st.session_state.get(key) not in options:
            st.session_state[key] = cells[0] if cells else options[0]
        cell = st.selectbox("Show the images in a cell (or click the cell)", options, key=key,
                            format_func=lambda ac: f"is {labels[ac[0]]}, called {labels[ac[1]]} "
                                                   f"({counts[ac[0], ac[1]]})")
        members = cell_members(true, predicted, *cell)
        kind = "misclassified" if cell[0] != cell[1] else "correctly classified"
        if not len(members):
            st.caption(f"No validation image is in this cell ({inert(kind)}).")
        else:
            probs = artifacts["val_probabilities"]
            shown = members[:24]
            st.image([artifacts["val_thumbnails"][i] for i in shown],
                     caption=[f"p({inert(labels[cell[1]])}) = {probs[i, cell[1]]:.2f}" for i in shown], width=96)
            if len(members) > len(shown):
                st.caption(f"… and {len(members) - len(shown)} more.")


def _clicked_cell(event, labels: list[str]) -> tuple[int, int] | None:
    try:
        point = event.selection.points[0]
        return labels.index(str(point["y"])[3:]), labels.index(str(point["x"])[7:])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None


def feature_space(page: str, artifacts: dict, labels: list[str], source: str) -> None:
    points, ratio = artifacts["embedding_2d"], artifacts["embedding_variance"]
    names = np.asarray(labels)[artifacts["val_labels"]]
    fig = px.scatter(x=points[:, 0], y=points[:, 1], color=names, height=420,
                     labels={"x": f"PC 1 ({ratio[0]:.0%} of variance)", "y": f"PC 2 ({ratio[1]:.0%})",
                             "color": "class"}, category_orders={"color": list(labels)},
                     color_discrete_sequence=CATEGORY_COLOURS)
    fig.update_traces(marker={"size": 7, "opacity": 0.8})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(fig, key=f"{page}_pca")
    st.caption(f"Each dot is one validation image at its backbone embedding (the pooled features the "
               f"head sees; weights: {source}), projected onto the two directions of largest variance. "
               "Separate clusters mean even a linear head can tell the classes apart.")


def prediction_view(photo: np.ndarray, overlay: np.ndarray, prediction: Prediction) -> None:
    """The photo, its Grad-CAM overlay with the overlay's colour scale, the class probabilities."""
    width = 260  # the photo, the overlay and the colour bar: one width
    left, middle, right = st.columns([1, 1, 1])
    with left:
        st.image(photo, caption="your photo (as the model sees it)", width=width)
    with middle:
        st.image(overlay, caption=f"Grad-CAM for “{inert(prediction.top[0])}”", width=width)
        st.image(colour_bar_image(heat_colours, width, list(SCALE_TICKS),
                                  title="Grad-CAM relative to its maximum"), width=width)
        st.caption(SCALE_NOTE)
    with right:
        for name, probability in prediction.ranked[:5]:
            st.progress(probability, text=f"{inert(name)}: {probability:.1%}")
        st.caption(f"The {len(prediction.ranked)} probabilities always add up to 100 %, whatever "
                   "the photo shows: they say which of its classes the photo resembles most, not "
                   "that it is one of them.")
        if prediction.unsure:
            st.warning(f"The model is unsure (top probability {prediction.top[1]:.0%}): this photo "
                       "may be far from anything it was trained on. It can only answer with one of "
                       "its classes, even for a photo of something else.")

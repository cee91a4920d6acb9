"""Pieces every trained page shows once a model exists: its data source, code and download."""

from __future__ import annotations

import streamlit as st

from dl_core.engine.cache import Entry
from dl_core.source import function_source


def dataset_note(entry: Entry) -> None:
    """Always say which data the learner is looking at, and why."""
    data = entry.meta["dataset"]
    origin = {"real": "real dataset", "builtin": "built-in offline dataset",
              "upload": "your own data"}.get(data["source"], data["source"])
    text = f"**Data:** {data['name']} ({origin}) — {data['train']} training and {data['val']} validation examples."
    if data.get("note"):
        text += f"  \n{data['note']}"
    (st.info if data["source"] == "builtin" else st.caption)(text)


def training_facts(entry: Entry) -> str:
    meta = entry.meta
    return (f"Trained in {meta['seconds']:.1f} s on {meta.get('device', 'CPU')} "
            f"(Keras {meta['versions']['keras']}, {meta['versions']['backend']} backend), "
            f"{meta.get('epochs_trained', '?')} epochs.")


def model_code(relative_path: str, builder: str) -> None:
    with st.expander("The Keras code of this model", expanded=False):
        st.code(function_source(relative_path, builder), language="python")


def download_model(entry: Entry, page: str) -> None:
    st.download_button("Download the trained model (.keras)", data=entry.model_path.read_bytes(),
                       file_name=f"dl-lab-{entry.topic}-{entry.key[:10]}.keras",
                       mime="application/zip", key=f"{page}_download",
                       help="Load it with keras.saving.load_model(path).")

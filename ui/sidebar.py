"""The sidebar every page shares: where training runs, which backend, how big the cache is."""

from __future__ import annotations

import streamlit as st

from dl_core import storage
from dl_core.devices import keras_backend_name, training_device_quick
from dl_core.engine.cache import ModelCache
from dl_core.engine.jobs import get_manager


@st.cache_data(ttl=15, show_spinner=False)
def _storage_summary() -> tuple[int, dict[str, float]]:
    # Walking the folders on every rerun of every session would add up: refresh every 15 s.
    megabytes = {place: size / 2**20 for place, size in storage.sizes().items()}
    return len(ModelCache().entries()), megabytes


@st.cache_data(ttl=15, show_spinner=False)
def _where_trainings_run() -> str:
    return get_manager().describe()  # a Ray cluster's nodes come and go: asked every 15 s


def render_sidebar() -> None:
    models, megabytes = _storage_summary()
    with st.sidebar:
        st.markdown("#### Compute")
        st.markdown(f"**Device:** {training_device_quick()}  \n**Keras backend:** {keras_backend_name()}  \n"
                    f"**Trainings:** {_where_trainings_run()}  \n"
                    f"**Models:** {models}, {megabytes['models']:.1f} MB  \n"
                    f"**Datasets:** {megabytes['datasets']:.1f} MB  \n"
                    f"**Uploads:** {megabytes['uploads']:.1f} MB")
        st.caption("Trained models are shared: a setting anyone trained before answers at once.")

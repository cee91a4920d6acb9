"""The sidebar every page shares: where training runs, which backend, how big the cache is."""

from __future__ import annotations

import streamlit as st

from dl_core.devices import describe_quick, keras_backend_name
from dl_core.engine.cache import ModelCache


@st.cache_data(ttl=15, show_spinner=False)
def _cache_summary() -> tuple[int, float]:
    # Walking the cache folder on every rerun of every session would add up: refresh every 15 s.
    cache = ModelCache()
    return len(cache.entries()), cache.size_bytes() / 2**20


def render_sidebar() -> None:
    models, megabytes = _cache_summary()
    with st.sidebar:
        st.markdown("#### Compute")
        st.markdown(f"**Device:** {describe_quick()}  \n**Keras backend:** {keras_backend_name()}  \n"
                    f"**Model cache:** {models} models, {megabytes:.1f} MB")
        st.caption("Trained models are shared: a setting anyone trained before answers at once.")

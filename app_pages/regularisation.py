"""Regularisation & tuning: watch a model overfit and cure it; a class fills a search together."""

import streamlit as st

from ui.foundations.regularisation_tabs import (
    render_batchnorm_tab,
    render_kfold_tab,
    render_overfit_tab,
    render_search_tab,
)

PAGE = "reg"

st.title("Regularisation & tuning")
st.markdown("A small network on a few hundred digit images: it learns the training images by "
            "heart and does worse on new ones. Each cure below trains the same model with one "
            "setting changed, and the search tabs are filled by the whole class together.")

overfit_tab, batchnorm_tab, search_tab, kfold_tab = st.tabs(
    ["Overfitting & cures", "Batch normalisation", "Hyperparameter search",
     "k-fold cross-validation"])
with overfit_tab:
    render_overfit_tab(PAGE)
with batchnorm_tab:
    render_batchnorm_tab(PAGE)
with search_tab:
    render_search_tab(PAGE)
with kfold_tab:
    render_kfold_tab(PAGE)

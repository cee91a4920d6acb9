"""Gradient descent: a real two-parameter model, its exact loss surface, and optimisers' paths."""

import streamlit as st

from ui.foundations.descent_tabs import (
    render_backprop_tab,
    render_nonconvex_tab,
    render_paths_tab,
    render_rate_tab,
)

PAGE = "descent"

st.title("Gradient descent")
st.markdown("Training moves the weights $\\theta$ downhill on the loss surface, a step at a "
            "time against the gradient. Here the model has exactly two weights, so the whole "
            "surface $L(w_1, w_2)$ is computed exactly from the training set and drawn (the "
            "colours are the loss), and Keras's own optimisers walk across it.")
st.latex(r"\theta \leftarrow \theta - \eta\, \nabla_\theta L(\theta),\qquad "
         r"\theta = (w_1, w_2)")

paths_tab, rate_tab, nonconvex_tab, backprop_tab = st.tabs(
    ["Paths", "The learning rate", "A non-convex surface", "Backpropagation by hand"])
with paths_tab:
    render_paths_tab(PAGE)
with rate_tab:
    render_rate_tab(PAGE)
with nonconvex_tab:
    render_nonconvex_tab(PAGE)
with backprop_tab:
    render_backprop_tab(PAGE)

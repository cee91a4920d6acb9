"""Perceptron & MLP: the perceptron rule step by step, an MLP playground, activations, losses."""

import streamlit as st

from ui.foundations.activations_tab import render_activations_tab
from ui.foundations.losses_tab import render_losses_tab
from ui.foundations.perceptron_tab import render_perceptron_tab
from ui.foundations.playground_tab import render_playground_tab

PAGE = "mlp"

st.title("Perceptron & MLP")
st.markdown("From one neuron to a network: the perceptron's learning rule, a multilayer "
            "perceptron you train on points in the plane, the activations that make it "
            "non-linear, and the losses it learns from.")

perceptron_tab, playground_tab, activations_tab, losses_tab = st.tabs(
    ["Perceptron", "MLP playground", "Activations", "Losses"])
with perceptron_tab:
    render_perceptron_tab(PAGE)
with playground_tab:
    params, data = render_playground_tab(PAGE)
with activations_tab:
    render_activations_tab(PAGE)
with losses_tab:
    render_losses_tab(PAGE, params, data)

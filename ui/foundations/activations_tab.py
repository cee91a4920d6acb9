"""The Activations tab: each activation with its derivative, then vanishing gradients measured
on a deep MLP trained through the job engine."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl_core.foundations import activations
from dl_core.topics import vanishing as topic
from ui.charts import history_chart
from ui.foundations.views import activation_figure, gradient_norms_figure
from ui.params_form import params_form
from ui.results import model_code, training_facts
from ui.training import trained_entry

Z_RANGE = (-6.0, 6.0)
NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU",
         "elu": "ELU", "gelu": "GELU", "linear": "linear"}
TRAIN_LABEL = "Measure the gradients"
QUERY_PREFIX = "vg_"  # this form's names in the URL, apart from the playground's


def render_activations_tab(page: str) -> None:
    st.markdown("An activation $g$ bends each neuron's weighted sum $z = w^\\top x + b$. Training "
                "multiplies by its derivative $g'(z)$ at every layer, so where $g'$ is close to 0 "
                "(the **saturated** regions, shaded) the neuron learns almost nothing.")
    left, right = st.columns([1, 2])
    name = left.selectbox("Activation", list(activations.ACTIVATIONS), key=f"{page}_curve_activation",
                          format_func=NAMES.get)
    z = left.slider("z", *Z_RANGE, 1.0, 0.1, key=f"{page}_curve_z")
    value, slope = (float(activations.activation(name, np.array([z]))[0]),
                    float(activations.derivative(name, np.array([z]))[0]))
    left.metric(f"g({z:g})", f"{value:.4f}")
    left.metric(f"g′({z:g})", f"{slope:.4f}")
    formula, derivative = activations.FORMULAS[name]
    left.latex(formula)
    left.latex(derivative)
    grid = np.linspace(*Z_RANGE, 601)
    right.plotly_chart(activation_figure(grid, activations.activation(name, grid),
                                         activations.derivative(name, grid), z, value, slope,
                                         activations.saturated_regions(name, z_range=Z_RANGE),
                                         NAMES[name]),
                       key=f"{page}_activation_plot")
    st.caption("Shaded: where |g′(z)| is below 5 % of its largest value. Softmax, for the output "
               "layer, turns a vector of scores into probabilities: "
               "softmax(z)ₖ = exp(zₖ) / Σⱼ exp(zⱼ).")
    _vanishing(page)


def _vanishing(page: str) -> None:
    st.subheader("Vanishing gradients, measured")
    st.markdown(
        "Backpropagation multiplies, layer by layer from the output back to the input, by each "
        "layer's weights and by $g'(z)$. The sigmoid's derivative is at most $\\tfrac14$, so "
        "through many sigmoid layers the product of many small factors makes the first layers' "
        "gradients tiny: with plain gradient descent, whose step is η times the gradient, those "
        "layers barely learn (Adam, used here, rescales each weight's step by its own gradient's "
        "recent size). ReLU's derivative is exactly 1 wherever a "
        "unit is active, and He initialisation keeps the activations' variance about the same "
        "from layer to layer. Below: a deep MLP of equal layers classifying 28×28 digits, and "
        "the norm of $\\partial L / \\partial W_l$ for every layer's weights on one fixed "
        "batch of 256 training images, before and after training (log scale).")
    key = f"{page}_vanishing"
    params, start = params_form(key, topic.SCHEMA, submit_label=TRAIN_LABEL,
                                query_prefix=QUERY_PREFIX)
    live = lambda status: st.plotly_chart(history_chart(status.history, total_epochs=status.epochs),
                                          key=f"{key}_live")
    entry = trained_entry(key, topic.TOPIC.name, params, start, live=live, train_label=TRAIN_LABEL)
    if entry is None:
        return
    artifacts, metrics = entry.artifacts(), entry.metrics
    cols = st.columns(3)
    cols[0].metric("First ÷ last layer, at initialisation", f"{metrics['ratio_init']:.3g}")
    cols[1].metric("First ÷ last layer, trained", f"{metrics['ratio_trained']:.3g}")
    cols[2].metric("Validation accuracy", f"{metrics['val_accuracy']:.1%}")
    st.plotly_chart(gradient_norms_figure(artifacts["grad_norms_init"], artifacts["grad_norms_trained"]),
                    key=f"{key}_norms")
    st.markdown(_vanishing_story(metrics, entry.meta["params"]))
    st.caption(training_facts(entry) + " The ratio compares the first Dense layer's gradient norm "
               "with the last one's (the output layer).")
    model_code("dl_core/topics/vanishing/train.py", "build_deep_mlp")


def _vanishing_story(metrics: dict, params: dict) -> str:
    """What the measured ratio says, in words (the numbers are this run's)."""
    ratio = metrics["ratio_init"]
    start = (f"At initialisation the first layer's gradient is **{ratio:.2g}** times the output "
             f"layer's, through {params['depth']} hidden layers of {params['activation']}.")
    if ratio < 0.1:
        return start + (" The gradient has vanished on its way down; after "
                        f"{params['epochs']} epochs of Adam the network reaches "
                        f"{metrics['val_accuracy']:.0%} validation accuracy (chance is 10 %).")
    return start + " The gradient reaches the first layer at a useful size: no layer is starved."

"""The Losses tab: binary cross-entropy and MSE against the predicted probability, with their
gradients; then one playground setting trained with each loss, curves overlaid."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl_core.foundations import losses
from dl_core.topics import playground
from ui.foundations.views import compare_figure, loss_figure
from ui.training import compared_entries

LOSS_NAMES = {"cross_entropy": "cross-entropy", "mse": "MSE"}  # the playground's two losses
PLOTTED = {"binary_crossentropy": "cross-entropy", "mse": "squared error"}
TRAIN_BOTH = "Train with both losses"


def render_losses_tab(page: str, params: dict, data: str | None) -> None:
    st.markdown("A loss scores one prediction against its label; training descends its mean "
                "over the data. For one example with label $y$ and predicted probability $p$:")
    for name in PLOTTED:
        loss, slope = losses.FORMULAS[name]
        st.latex(rf"{loss},\qquad {slope}")
    p = np.linspace(0.005, 0.995, 199)
    curves, slopes = {}, {}
    for name, title in PLOTTED.items():
        for label in (1, 0):
            curves[f"{title}, y = {label}"] = losses.loss_curve(name, label, p)
            slopes[f"{title}, y = {label}"] = losses.loss_gradient(name, label, p)
    left, right = st.columns(2)
    left.plotly_chart(loss_figure(p, curves, "Loss L(p)", "loss"), key=f"{page}_loss_curves")
    right.plotly_chart(loss_figure(p, slopes, "Its gradient ∂L/∂p (cut at ±12)", "∂L/∂p",
                                   y_range=(-12, 12)), key=f"{page}_loss_slopes")
    st.markdown(
        "Confidently wrong predictions ($p \\to 0$ when $y = 1$) cost cross-entropy without "
        "bound, and the size of its gradient, $1/p$, grows without bound too. The squared error of a "
        "probability is at most 1 and its gradient $2(p - y)$ at most 2 in size: for $y = 1$ it is "
        "$-1.98$ at $p = 0.01$ against $-1.2$ at $p = 0.4$, so a confidently wrong prediction is "
        "pushed barely harder than a mildly wrong one. Behind a sigmoid $p = \\sigma(z)$ the "
        "gradient with respect to the score $z$ is $p - y$ for cross-entropy, but "
        "$2(p - y)\\,p(1 - p)$ for MSE, which vanishes exactly for those confidently wrong "
        "predictions.")
    st.markdown("Multi-class: $L = -\\sum_k y_k \\log p_k = -\\log p_{\\text{true}}$ over a "
                "softmax output, the negative log-likelihood of the true class. Which loss for "
                "which task:")
    st.table({"task": list(losses.WHICH_LOSS),
              "output layer": [choice.output for choice in losses.WHICH_LOSS.values()],
              "loss": [choice.loss for choice in losses.WHICH_LOSS.values()],
              "why": [choice.reason for choice in losses.WHICH_LOSS.values()]})
    _compare(page, params, data)


def _compare(page: str, params: dict, data: str | None) -> None:
    st.subheader("The same classifier, trained with each loss")
    st.markdown("The setting of the MLP playground tab, trained once with cross-entropy and once "
                "with MSE on the softmax's probabilities; same data, same seed.")
    settings = {LOSS_NAMES[name]: playground.SCHEMA.canonical({**params, "loss": name})
                for name in LOSS_NAMES}
    key = f"{page}_losses"
    entries = compared_entries(key, playground.TOPIC.name, settings, TRAIN_BOTH, data)
    missing = [label for label, entry in entries.items() if entry is None]
    if missing:
        st.caption(f"Not trained yet: {', '.join(missing)}.")
    done = {label: entry.history for label, entry in entries.items() if entry is not None}
    if not done:
        return
    left, right = st.columns(2)
    left.plotly_chart(compare_figure(done, "accuracy", "Accuracy per epoch"), key=f"{key}_accuracy")
    right.plotly_chart(compare_figure(done, "loss", "Each run's own loss per epoch"),
                       key=f"{key}_loss")
    st.caption("The two losses have different scales, so compare their accuracy curves; the "
               "loss chart shows how each run's own objective fell.")

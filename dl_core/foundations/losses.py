"""Per-example losses of a predicted probability p, their derivatives dL/dp, and which to use.

- binary cross-entropy: L = −[y log p + (1 − y) log(1 − p)],  dL/dp = (p − y) / (p(1 − p));
- squared error on a probability: L = (p − y)²,  dL/dp = 2(p − y);
- categorical cross-entropy: L = −Σ_k y_k log p_k, which for a one-hot y is −log p_true: the
  negative log-likelihood of the true class;  ∂L/∂p_k = −y_k / p_k.

Why the page sets them side by side: for y = 1 and p → 0 the cross-entropy's slope grows like
−1/p, so a confidently wrong answer is pushed hard, while the squared error's slope stays at
most 2 in size.

As in Keras (keras.config.epsilon() = 1e-7), p is clipped to [1e-7, 1 − 1e-7] before any
logarithm or division, so the figures stay finite at p = 0 and p = 1; the derivative is the
formula at the clipped p. Pure numpy, no Keras.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

EPSILON = 1e-7  # keras.config.epsilon()
LOSSES = ("binary_crossentropy", "mse", "categorical_crossentropy")

# name -> (LaTeX of L, LaTeX of its derivative)
FORMULAS = {
    "binary_crossentropy": (
        r"L(y, p) = -\bigl[\,y \log p + (1 - y)\log(1 - p)\,\bigr]",
        r"\frac{\partial L}{\partial p} = \frac{p - y}{p\,(1 - p)}"),
    "mse": (r"L(y, p) = (p - y)^2", r"\frac{\partial L}{\partial p} = 2\,(p - y)"),
    "categorical_crossentropy": (
        r"L(\mathbf{y}, \mathbf{p}) = -\sum_k y_k \log p_k = -\log p_{\text{true}}",
        r"\frac{\partial L}{\partial p_k} = -\frac{y_k}{p_k}"),
}


class LossChoice(NamedTuple):
    loss: str  # a name in LOSSES, also Keras's name for it
    output: str  # the output layer's activation
    reason: str


WHICH_LOSS = {
    "binary classification": LossChoice(
        "binary_crossentropy", "sigmoid",
        "A sigmoid output is the probability of class 1, and cross-entropy is its negative "
        "log-likelihood, so a confidently wrong answer costs the most."),
    "multi-class classification": LossChoice(
        "categorical_crossentropy", "softmax",
        "A softmax output is a probability for each class, and the loss is −log of the "
        "probability given to the true class."),
    "regression": LossChoice(
        "mse", "linear",
        "A linear output can take any real value, and the mean squared error is the "
        "negative log-likelihood of Gaussian noise around it."),
}


def _check(name: str) -> None:
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}: expected one of {', '.join(LOSSES)}")


def clip(p) -> np.ndarray:
    """p clipped to [ε, 1 − ε], ε = 1e-7, as Keras does before taking logarithms."""
    return np.clip(np.asarray(p, dtype=np.float64), EPSILON, 1.0 - EPSILON)


def binary_crossentropy(y, p) -> np.ndarray:
    p = clip(p)
    y = np.asarray(y, dtype=np.float64)
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def mse(y, p) -> np.ndarray:
    """(p − y)² for one example (Keras's "mse" averages this over the outputs)."""
    return (np.asarray(p, dtype=np.float64) - np.asarray(y, dtype=np.float64)) ** 2


def categorical_crossentropy(y, p) -> np.ndarray:
    """−Σ_k y_k log p_k over the last axis: y one-hot (or a distribution), p probabilities."""
    return -np.sum(np.asarray(y, dtype=np.float64) * np.log(clip(p)), axis=-1)


def negative_log_likelihood(p_true) -> np.ndarray:
    """−log p_true: categorical cross-entropy of a one-hot y, as a curve of p_true."""
    return -np.log(clip(p_true))


def loss_curve(name: str, y, p) -> np.ndarray:
    """L(y, p) element-wise (for categorical cross-entropy: summed over the last axis)."""
    _check(name)
    if name == "binary_crossentropy":
        return binary_crossentropy(y, p)
    if name == "mse":
        return mse(y, p)
    return categorical_crossentropy(y, p)


def loss_gradient(name: str, y, p) -> np.ndarray:
    """dL/dp element-wise, the same shape as p (categorical: ∂L/∂p_k for every k)."""
    _check(name)
    y = np.asarray(y, dtype=np.float64)
    if name == "binary_crossentropy":
        p = clip(p)
        return (p - y) / (p * (1.0 - p))
    if name == "mse":
        return 2.0 * (np.asarray(p, dtype=np.float64) - y)
    return -y / clip(p)

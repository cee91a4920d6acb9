"""Why LSTMs remember: a recall task whose answer lies k steps back, and the gradients that reach it.

Task ("recall the marked value"): a sequence x_1 … x_T of random numbers in [−1, 1] arrives with a
second channel that marks exactly one of them, x_{T−k}, k steps before the last input x_T; at the
end the network must output the marked number, so it has to carry it through k more steps. Everything after the mark is distraction. A recall counts as correct
within ±TOLERANCE (always answering 0 scores about 10 %). A continuous value, not a bit, on
purpose: a tanh network can latch a bit in a saturated unit, but holding a number unchanged for
k steps needs a recurrent gain of exactly 1, which is what the LSTM's cell path provides. Small k is easy for any
recurrent net; for large k the only way to learn is for the error signal to travel back k steps
(backpropagation through time).
In a SimpleRNN that signal is a product of k Jacobians diag(1 − h²)·U, which shrinks (or blows
up) geometrically: the vanishing gradient. The LSTM's cell path C_t = f_t * C_{t−1} + … carries it
multiplied only by the forget gates, which the network can hold near 1.

What the gradient chart measures (`gradient_by_lag`): for k = 0 … T−1, the mean over a batch of
‖∂L/∂x_{T−k}‖, L = (ŷ − y)² the sequence's squared error, with the same k as the task's lag.
Geometric decay is a straight line on a log axis; `decay_per_step` is the factor per step of the
least-squares line through log‖∂L/∂x_{T−k}‖. The *height* of a curve is not the story: every
step's gradient carries the factor ∂L/∂ŷ = 2(ŷ − y), so a network that answers well has a low
curve everywhere; the *slope* says how much of the signal survives each step back.

Backend note: the per-step gradient ∂L/∂x_t is the one place where Keras 3 has no
backend-neutral API, so `gradient_by_lag` dispatches to TensorFlow, JAX or PyTorch.
"""

from __future__ import annotations

import numpy as np


def lags_up_to(longest: int, count: int = 6) -> list[int]:
    """`count` lags from 1 to `longest`, roughly evenly spread (always including both ends)."""
    return sorted({int(round(v)) for v in np.linspace(1, longest, count)})


TOLERANCE = 0.1
LEAD_IN = 5  # T = longest lag + LEAD_IN: LEAD_IN − 1 values come before the earliest possible mark


def sequence_length(lags: list[int]) -> int:
    return max(lags) + LEAD_IN


def recall_data(samples: int, lags: list[int], seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x: (samples, T, 2) = (values in [−1, 1], mark in {0, 1}); y: (samples, 1) the marked value
    x_{T−k} (0-based position T − 1 − k); k: (samples,) the lag of each sample, the lags taking
    turns so each has the same share."""
    length = sequence_length(lags)
    rng = np.random.default_rng(seed)
    bits = rng.uniform(-1.0, 1.0, size=(samples, length)).astype(np.float32)
    k = np.resize(np.asarray(lags), samples)
    rng.shuffle(k)
    marks = np.zeros((samples, length), np.float32)
    rows = np.arange(samples)
    position = length - 1 - k  # x_{T−k}: k steps before the last input (k = 0 would be x_T)
    marks[rows, position] = 1.0
    y = bits[rows, position][:, None]
    return np.stack([bits, marks], axis=2), y, k


def accuracy_per_lag(predicted: np.ndarray, targets: np.ndarray, k: np.ndarray,
                     lags: list[int]) -> np.ndarray:
    """Share of recalls within ±TOLERANCE among the samples of each lag."""
    correct = np.abs(np.asarray(predicted)[:, 0] - np.asarray(targets)[:, 0]) <= TOLERANCE
    return np.array([correct[k == lag].mean() for lag in lags])


def gradient_by_lag(model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index k (0 … T−1): the batch mean of ‖∂L/∂x_{T−k}‖, both input channels, L = (ŷ − y)².

    The loss is summed over the batch, so each sequence's gradient is that of its own loss.
    A step whose gradient is tiny cannot teach the network anything about that input.
    """
    import keras

    from dl_core.models.gradients import value_and_gradients

    targets = keras.ops.convert_to_tensor(np.asarray(y, np.float32))
    _, _, grads = value_and_gradients(lambda inputs: (_loss(model, inputs, targets), None),
                                      keras.ops.convert_to_tensor(np.asarray(x, np.float32)))
    grads = keras.ops.convert_to_numpy(grads)
    per_step = np.sqrt(np.sum(np.asarray(grads, np.float64) ** 2, axis=2)).mean(axis=0)  # x_1 … x_T
    return per_step[::-1]  # k = 0 is the last input x_T


def decay_per_step(curve: np.ndarray) -> float:
    """e^slope of the least-squares line through log curve[k] against k: the factor by which the
    gradient shrinks (< 1) or grows (> 1) per step back, on average over every k."""
    curve = np.asarray(curve, np.float64)
    if curve.ndim != 1 or len(curve) < 2 or not np.all(np.isfinite(curve) & (curve > 0)):
        raise ValueError("decay_per_step needs at least two finite, positive gradient norms")
    slope = np.polyfit(np.arange(len(curve)), np.log(curve), 1)[0]
    return float(np.exp(slope))


def _loss(model, x, y):
    import keras

    p = model(x, training=False)
    return keras.ops.sum((p - y) ** 2)

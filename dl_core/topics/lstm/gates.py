"""The LSTM cell recomputed by hand from a trained layer's weights, to make its gates visible.

Keras keeps the four gates side by side in its weights, in the order i, f, c, o:
`kernel` (inputs × 4·units), `recurrent_kernel` (units × 4·units) and `bias` (4·units). With
z_t = x_t·W + h_{t−1}·U + b split into those four blocks:

    i_t = σ(z_i)    f_t = σ(z_f)    C̃_t = tanh(z_c)    o_t = σ(z_o)
    C_t = f_t * C_{t−1} + i_t * C̃_t        h_t = o_t * tanh(C_t)

(the course writes the same as W_f·[h_{t−1}, x_t] + b_f: W_f is our kernel and recurrent kernel
stacked). Pure numpy: the test checks that our h_t equals the layer's own output.
"""

from __future__ import annotations

import numpy as np

GATE_ORDER = ("input", "forget", "candidate", "output")
SHOWN = ("forget", "input", "output", "cell", "hidden")


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def split_gates(matrix: np.ndarray, units: int) -> dict[str, np.ndarray]:
    """The four gate blocks of a Keras LSTM weight (last axis 4·units, order i, f, c, o)."""
    if matrix.shape[-1] != 4 * units:
        raise ValueError(f"weight has last dimension {matrix.shape[-1]}, expected 4·units = {4 * units}")
    return {name: matrix[..., k * units:(k + 1) * units] for k, name in enumerate(GATE_ORDER)}


def lstm_gates(sequence: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
               bias: np.ndarray | None) -> dict[str, np.ndarray]:
    """Run the cell over one sequence (time × inputs); each result is time × units.

    Returns forget, input, output (the gates), candidate (C̃), cell (C) and hidden (h).
    """
    x = np.asarray(sequence, np.float64)
    if x.ndim == 1:
        x = x[:, None]
    units = recurrent_kernel.shape[0]
    if kernel.shape != (x.shape[1], 4 * units):
        raise ValueError(f"kernel has shape {kernel.shape}, expected ({x.shape[1]}, {4 * units}) "
                         "for this input: pass the first LSTM layer's weights")
    b = np.zeros(4 * units) if bias is None else np.asarray(bias, np.float64)
    h, c = np.zeros(units), np.zeros(units)
    out = {name: [] for name in ("forget", "input", "output", "candidate", "cell", "hidden")}
    for x_t in x:
        z = split_gates(x_t @ kernel + h @ recurrent_kernel + b, units)
        i, f, o = sigmoid(z["input"]), sigmoid(z["forget"]), sigmoid(z["output"])
        candidate = np.tanh(z["candidate"])
        c = f * c + i * candidate
        h = o * np.tanh(c)
        for name, value in (("forget", f), ("input", i), ("output", o), ("candidate", candidate),
                            ("cell", c), ("hidden", h)):
            out[name].append(value)
    return {name: np.asarray(values, np.float32) for name, values in out.items()}


def layer_weights(layer) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(kernel, recurrent_kernel, bias) of a Keras LSTM layer, as numpy arrays."""
    weights = [np.asarray(w) for w in layer.get_weights()]
    if len(weights) not in (2, 3):
        raise ValueError(f"layer {layer.name!r} has {len(weights)} weight arrays; expected an LSTM "
                         "layer (kernel, recurrent_kernel[, bias])")
    return weights[0], weights[1], weights[2] if len(weights) == 3 else None

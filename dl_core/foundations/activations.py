"""Activation functions g(z), their analytic derivatives g′(z), and where g′ vanishes.

Each g here equals Keras 3's `keras.activations.<name>` with its default arguments (a test checks
it to 1e-5), so what the page plots is what the models compute:
- leaky_relu: slope 0.2 for z < 0, the default `negative_slope` of keras.activations.leaky_relu
  (the *layer* keras.layers.LeakyReLU defaults to 0.3; DL Lab's models use the activation);
- elu: α = 1;
- gelu: the exact form z·Φ(z), because keras.activations.gelu defaults to approximate=False
  (the tanh approximation is a different curve, within about 1e-3 of it).

Derivatives at a kink follow the backends' gradients: g′(0) = 0 for ReLU, 0.2 for leaky ReLU.
Pure numpy (plus math.erf), no Keras.
"""

from __future__ import annotations

import math

import numpy as np

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "linear")
LEAKY_SLOPE = 0.2  # keras.activations.leaky_relu(x, negative_slope=0.2)
ELU_ALPHA = 1.0  # keras.activations.elu(x, alpha=1.0)

# name -> (LaTeX of g(z), LaTeX of g′(z))
FORMULAS = {
    "sigmoid": (r"\sigma(z) = \frac{1}{1 + e^{-z}}",
                r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)"),
    "tanh": (r"\tanh z = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
             r"\tanh'(z) = 1 - \tanh^2 z"),
    "relu": (r"\mathrm{ReLU}(z) = \max(0, z)",
             r"\mathrm{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}"),
    "leaky_relu": (r"g(z) = \begin{cases} z & z > 0 \\ 0.2\,z & z \le 0 \end{cases}",
                   r"g'(z) = \begin{cases} 1 & z > 0 \\ 0.2 & z \le 0 \end{cases}"),
    "elu": (r"\mathrm{ELU}(z) = \begin{cases} z & z > 0 \\ e^{z} - 1 & z \le 0 \end{cases}",
            r"\mathrm{ELU}'(z) = \begin{cases} 1 & z > 0 \\ e^{z} & z \le 0 \end{cases}"),
    "gelu": ((r"\mathrm{GELU}(z) = z\,\Phi(z) = \frac{z}{2}\Bigl(1 + \operatorname{erf}"
              r"\bigl(\tfrac{z}{\sqrt{2}}\bigr)\Bigr)"),
             (r"\mathrm{GELU}'(z) = \Phi(z) + z\,\varphi(z),\quad "
              r"\varphi(z) = \frac{e^{-z^2/2}}{\sqrt{2\pi}}")),
    "linear": (r"g(z) = z", r"g'(z) = 1"),
}

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _check(name: str) -> None:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: expected one of {', '.join(ACTIVATIONS)}")


def sigmoid(z) -> np.ndarray:
    """1 / (1 + e^−z), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _phi(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF Φ(z)."""
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def activation(name: str, z) -> np.ndarray:
    """g(z), element-wise."""
    _check(name)
    z = np.asarray(z, dtype=np.float64)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if name == "elu":
        return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))
    if name == "gelu":
        return z * _phi(z)
    return z.copy()


def derivative(name: str, z) -> np.ndarray:
    """g′(z), analytic, element-wise (at a kink: the value the backends' gradients use)."""
    _check(name)
    z = np.asarray(z, dtype=np.float64)
    if name == "sigmoid":
        g = sigmoid(z)
        return g * (1.0 - g)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    if name == "elu":
        return np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))
    if name == "gelu":
        return _phi(z) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return np.ones_like(z)


def saturated_regions(name: str, threshold: float = 0.05, z_range=(-6.0, 6.0),
                      points: int = 1201) -> list[tuple[float, float]]:
    """Intervals of z in z_range where |g′(z)| < threshold · max|g′| over z_range.

    There a unit barely passes a gradient back: learning stalls ("saturation"). Sigmoid and
    tanh saturate in both tails, ReLU for every z < 0 (dead units), ELU and GELU in the far
    negative tail; leaky ReLU (slope 0.2) and linear never do at the default threshold.
    The ends are grid points (`points` evenly spaced samples of z_range).
    """
    _check(name)
    lo, hi = (float(v) for v in z_range)
    if not lo < hi:
        raise ValueError(f"z_range={z_range!r}: expected (low, high) with low < high")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold={threshold!r}: expected a fraction between 0 and 1")
    z = np.linspace(lo, hi, points)
    slope = np.abs(derivative(name, z))
    flat = slope < threshold * slope.max()
    regions = []
    start = None
    for i, is_flat in enumerate(flat):
        if is_flat and start is None:
            start = i
        if start is not None and (not is_flat or i == len(z) - 1):
            end = i if is_flat else i - 1
            regions.append((float(z[start]), float(z[end])))
            start = None
    return regions


def softmax(z, axis: int = -1) -> np.ndarray:
    """e^{z_k} / Σ_j e^{z_j}, with max(z) subtracted first so that no exponent overflows
    (softmax(z − c) = softmax(z) for any constant c)."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)

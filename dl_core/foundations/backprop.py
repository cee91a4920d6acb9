"""Backpropagation by hand on the smallest real network: 2 inputs, 1 hidden unit, 1 output.

    z₁ = w₁₁x₁ + w₁₂x₂ + b₁,   a₁ = σ(z₁),   z₂ = w₂a₁ + b₂,   ŷ = σ(z₂),   J = ½(ŷ − y)²

with σ(s) = 1 / (1 + e^(−s)), whose derivative is σ'(s) = σ(s)(1 − σ(s)).

The chain rule walks back from J, one factor per arrow of the graph:

    ∂J/∂w₂  = ∂J/∂ŷ · ∂ŷ/∂z₂ · ∂z₂/∂w₂                     = (ŷ − y) · ŷ(1 − ŷ) · a₁
    ∂J/∂b₂  = ∂J/∂ŷ · ∂ŷ/∂z₂ · ∂z₂/∂b₂                     = (ŷ − y) · ŷ(1 − ŷ) · 1
    ∂J/∂w₁₁ = ∂J/∂ŷ · ∂ŷ/∂z₂ · ∂z₂/∂a₁ · ∂a₁/∂z₁ · ∂z₁/∂w₁₁
            = (ŷ − y) · ŷ(1 − ŷ) · w₂ · a₁(1 − a₁) · x₁
    ∂J/∂w₁₂ = … · ∂z₁/∂w₁₂ with ∂z₁/∂w₁₂ = x₂
    ∂J/∂b₁  = … · ∂z₁/∂b₁  with ∂z₁/∂b₁  = 1

The first factors are shared: δ₂ = (ŷ − y)ŷ(1 − ŷ) is computed once and reused for every weight
below it, which is what makes backpropagation cheap. Pure numpy/float64, no Keras.
"""

from __future__ import annotations

import math

INPUTS = ("x1", "x2", "y")
PARAMS = ("w11", "w12", "b1", "w2", "b2")
DEFAULT = dict(x1=0.5, x2=-1.0, y=1.0, w11=0.3, w12=-0.2, b1=0.1, w2=0.8, b2=-0.3)

# LaTeX of each name, for the page
LATEX = {"x1": "x_1", "x2": "x_2", "y": "y", "w11": "w_{11}", "w12": "w_{12}", "b1": "b_1",
         "w2": "w_2", "b2": "b_2", "z1": "z_1", "a1": "a_1", "z2": "z_2", "y_hat": r"\hat y",
         "J": "J"}
FORWARD_LATEX = {
    "z1": r"z_1 = w_{11}x_1 + w_{12}x_2 + b_1",
    "a1": r"a_1 = \sigma(z_1)",
    "z2": r"z_2 = w_2 a_1 + b_2",
    "y_hat": r"\hat y = \sigma(z_2)",
    "J": r"J = \tfrac12(\hat y - y)^2",
}


def _sigmoid(s: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * s))  # σ without overflow


def _values(values: dict | None) -> dict:
    v = dict(DEFAULT)
    if values:
        unknown = set(values) - set(DEFAULT)
        if unknown:
            raise ValueError(f"unknown value(s) {', '.join(sorted(unknown))}: expected "
                             f"{', '.join(DEFAULT)}")
        v.update({k: float(x) for k, x in values.items()})
    return v


def forward(values: dict | None = None) -> dict:
    """Every quantity of the forward pass: the inputs and parameters (DEFAULT for any not
    given) plus z1, a1, z2, y_hat and J, all floats."""
    v = _values(values)
    z1 = v["w11"] * v["x1"] + v["w12"] * v["x2"] + v["b1"]
    a1 = _sigmoid(z1)
    z2 = v["w2"] * a1 + v["b2"]
    y_hat = _sigmoid(z2)
    return {**v, "z1": z1, "a1": a1, "z2": z2, "y_hat": y_hat, "J": 0.5 * (y_hat - v["y"]) ** 2}


def chain_rule(values: dict | None = None) -> dict:
    """param -> [(factor as LaTeX, factor value), ...] whose product is ∂J/∂param, for every
    name in PARAMS, the factors in the order the chain rule meets them walking back from J."""
    f = forward(values)
    dJ_dy = (r"\frac{\partial J}{\partial \hat y} = \hat y - y", f["y_hat"] - f["y"])
    dy_dz2 = (r"\frac{\partial \hat y}{\partial z_2} = \hat y(1 - \hat y)",
              f["y_hat"] * (1.0 - f["y_hat"]))
    dz2_da1 = (r"\frac{\partial z_2}{\partial a_1} = w_2", f["w2"])
    da1_dz1 = (r"\frac{\partial a_1}{\partial z_1} = a_1(1 - a_1)", f["a1"] * (1.0 - f["a1"]))
    top = [dJ_dy, dy_dz2]
    hidden = top + [dz2_da1, da1_dz1]
    return {
        "w2": top + [(r"\frac{\partial z_2}{\partial w_2} = a_1", f["a1"])],
        "b2": top + [(r"\frac{\partial z_2}{\partial b_2} = 1", 1.0)],
        "w11": hidden + [(r"\frac{\partial z_1}{\partial w_{11}} = x_1", f["x1"])],
        "w12": hidden + [(r"\frac{\partial z_1}{\partial w_{12}} = x_2", f["x2"])],
        "b1": hidden + [(r"\frac{\partial z_1}{\partial b_1} = 1", 1.0)],
    }


def gradients(values: dict | None = None) -> dict:
    """param -> ∂J/∂param (the product of its chain_rule factors), for every name in PARAMS."""
    return {name: math.prod(v for _, v in factors)
            for name, factors in chain_rule(values).items()}


def gradient_latex(param: str) -> str:
    """The chain for one parameter as LaTeX, e.g. ∂J/∂w₂ = ∂J/∂ŷ · ∂ŷ/∂z₂ · ∂z₂/∂w₂."""
    if param not in PARAMS:
        raise ValueError(f"unknown parameter {param!r}: expected one of {', '.join(PARAMS)}")
    chain = ["J", r"\hat y", "z_2"] + (["a_1", "z_1"] if param in ("w11", "w12", "b1") else [])
    chain.append(LATEX[param])
    parts = [rf"\frac{{\partial {a}}}{{\partial {b}}}" for a, b in zip(chain, chain[1:])]
    return rf"\frac{{\partial J}}{{\partial {LATEX[param]}}} = " + r" \cdot ".join(parts)

"""The two-weight problems of the Gradient descent page: each a model with exactly two weights
(w₁, w₂) and its data, so that its whole loss surface can be computed and drawn.

- "tips"  plotly's bundled restaurant tips: tip ≈ w₁·(bill / its std) + w₂, mean squared
  error. Convex (a quadratic bowl shaped as a long valley).
- "iris"  plotly's bundled iris flowers, versicolor (0) vs virginica (1) from two standardised
  petal measurements, no bias: p = σ(w₁x₁ + w₂x₂), mean binary cross-entropy. Convex; the
  classes overlap, so the minimum is finite.
- "line"  generated (seed 0), needs no file: y = 1.5x − 0.5 + noise, ŷ = w₁x + w₂, MSE. Convex.
- "tanh"  generated (seed 0): ŷ = w₂·tanh(w₁x), MSE. NOT convex (see dl_core.foundations.descent).

Pure numpy (plotly only for its bundled files), no Keras, no streamlit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

PROBLEMS = ("tips", "iris", "line", "tanh")


@dataclass(frozen=True, eq=False)
class Problem:
    """One two-parameter model and its data. Arrays are float64 and read-only (cached)."""

    name: str  # a name in PROBLEMS
    title: str
    x: np.ndarray  # (n,) one feature, or (n, 2) two features (iris)
    y: np.ndarray  # (n,) targets: real values (mse) or 0/1 labels (bce)
    model_latex: str
    loss_latex: str
    loss: str  # "mse" or "bce"
    data_note: str  # what the data is and where it came from, one sentence
    box: tuple  # ((w1_lo, w1_hi), (w2_lo, w2_hi)): the region the page draws
    start: tuple  # (w1, w2): default start inside box, chosen for an instructive path
    kind: str  # "convex" or "non-convex"
    x_label: str = "x"  # plain-text axis names for a plot of the data
    y_label: str = "y"

    @property
    def n(self) -> int:
        return int(len(self.y))


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def _zscore(v: np.ndarray) -> tuple[np.ndarray, float, float]:
    mean, std = float(v.mean()), float(v.std())  # population std (ddof = 0)
    return (v - mean) / std, mean, std


def _plotly_frame(which: str):
    try:
        import plotly.data

        return getattr(plotly.data, which)()
    except Exception as exc:  # missing plotly, pandas, or the bundled .csv.gz
        raise ValueError(f"cannot read plotly's bundled {which} dataset "
                         f"({type(exc).__name__}: {exc}); use the built-in problem 'line'") from exc


def _tips() -> Problem:
    """x is the bill in units of its standard deviation, NOT centred: the intercept and the slope
    then trade off against each other (mean x ≈ 2.2), so the bowl is a long diagonal valley
    (Hessian eigenvalues ≈ 0.29 and 13.6, 2/λ_max ≈ 0.147) where plain gradient descent
    zig-zags across and creeps along, the classic picture; centring x would make it round."""
    frame = _plotly_frame("tips")
    bill = frame["total_bill"].to_numpy(dtype=np.float64)
    std = float(bill.std())  # population std (ddof = 0)
    return Problem(
        name="tips", title="Restaurant tips: linear regression",
        x=_frozen(bill / std), y=_frozen(frame["tip"].to_numpy(dtype=np.float64)),
        model_latex=r"\hat y = w_1 x + w_2",
        loss_latex=r"L(w_1, w_2) = \frac{1}{n}\sum_{i=1}^{n} \bigl(w_1 x_i + w_2 - y_i\bigr)^2",
        loss="mse",
        data_note=(f"{len(bill)} restaurant bills from plotly's bundled tips dataset (Bryant & "
                   f"Smith, 1995): y is the tip in dollars, x the total bill in units of its "
                   f"standard deviation, x = bill / {std:.2f}."),
        box=((-1.0, 2.5), (-1.5, 4.5)), start=(-0.5, 4.0), kind="convex",
        x_label="total bill / its standard deviation", y_label="tip ($)")


def _iris() -> Problem:
    frame = _plotly_frame("iris")
    frame = frame[frame["species"].isin(["versicolor", "virginica"])]
    feats, notes = [], []
    for col in ("petal_length", "petal_width"):
        z, mean, std = _zscore(frame[col].to_numpy(dtype=np.float64))
        feats.append(z)
        notes.append(f"{col} (mean {mean:.3f} cm, std {std:.3f} cm)")
    y = (frame["species"].to_numpy() == "virginica").astype(np.float64)
    return Problem(
        name="iris", title="Iris flowers: logistic regression without bias",
        x=_frozen(np.stack(feats, axis=1)), y=_frozen(y),
        model_latex=r"p = \sigma(w_1 x_1 + w_2 x_2),\quad \sigma(s) = \frac{1}{1 + e^{-s}}",
        loss_latex=(r"L(w_1, w_2) = -\frac{1}{n}\sum_{i=1}^{n} \bigl[y_i \log p_i"
                    r" + (1 - y_i)\log(1 - p_i)\bigr]"),
        loss="bce",
        data_note=(f"The {len(y)} versicolor (y = 0) and virginica (y = 1) flowers of plotly's "
                   f"bundled iris dataset (Fisher, 1936), x₁, x₂ = standardised "
                   f"{notes[0]} and {notes[1]}."),
        box=((-4.0, 8.0), (-4.0, 8.0)), start=(-3.0, 7.0), kind="convex",
        x_label="petal length, petal width (standardised)", y_label="virginica")


def _line() -> Problem:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2.0, 2.0, size=100)
    y = 1.5 * x - 0.5 + rng.normal(0.0, 0.5, size=100)
    return Problem(
        name="line", title="A noisy line: linear regression (built in)",
        x=_frozen(x), y=_frozen(y),
        model_latex=r"\hat y = w_1 x + w_2",
        loss_latex=r"L(w_1, w_2) = \frac{1}{n}\sum_{i=1}^{n} \bigl(w_1 x_i + w_2 - y_i\bigr)^2",
        loss="mse",
        data_note=("100 generated points (numpy seed 0): x ~ U(−2, 2), "
                   "y = 1.5x − 0.5 + N(0, 0.5²)."),
        box=((-2.0, 4.0), (-3.0, 3.0)), start=(-1.5, 2.5), kind="convex")


def _tanh() -> Problem:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2.0, 2.0, size=100)
    y = 2.0 * np.tanh(1.0 * x) + rng.normal(0.0, 0.1, size=100)
    return Problem(
        name="tanh", title="A one-unit tanh network: a non-convex surface (built in)",
        x=_frozen(x), y=_frozen(y),
        model_latex=r"\hat y = w_2 \tanh(w_1 x)",
        loss_latex=(r"L(w_1, w_2) = \frac{1}{n}\sum_{i=1}^{n} "
                    r"\bigl(w_2 \tanh(w_1 x_i) - y_i\bigr)^2"),
        loss="mse",
        data_note=("100 generated points (numpy seed 0): x ~ U(−2, 2), "
                   "y = 2·tanh(x) + N(0, 0.1²)."),
        box=((-6.0, 6.0), (-4.0, 4.0)), start=(5.5, -0.5), kind="non-convex")


_BUILDERS = {"tips": _tips, "iris": _iris, "line": _line, "tanh": _tanh}


@functools.lru_cache(maxsize=None)
def load_problem(name: str) -> Problem:
    """The named problem (cached). ValueError for an unknown name, or when plotly's bundled
    dataset files cannot be read ("tips", "iris"); "line" and "tanh" never need a file."""
    if name not in _BUILDERS:
        raise ValueError(f"unknown problem {name!r}: expected one of {', '.join(PROBLEMS)}")
    return _BUILDERS[name]()

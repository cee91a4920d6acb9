"""Input features for the MLP playground: what the first layer sees of a point (x₁, x₂).

A network without hidden layers draws a straight boundary in the space of its inputs, so giving
it x₁², x₂² lets it draw a circle (x₁² + x₂² = r² is a line in those coordinates) and x₁x₂ lets
it solve XOR. Pure numpy: the model is fed these columns, and the page draws them as the input
neurons.

The sine features use sin(π·x), not sin(x): on data in [-1, 1] sin(x) is almost linear (it
bends by only 16 % at x = 1), whereas sin(πx) spans one full period and is really new.
"""

from __future__ import annotations

import numpy as np

FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1x2": "x₁x₂",
                  "sin_x1": "sin πx₁", "sin_x2": "sin πx₂"}

_FORMULAS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(np.pi * x1),
    "sin_x2": lambda x1, x2: np.sin(np.pi * x2),
}


def parse_features(text: str) -> tuple[str, ...]:
    """"x1,x2,x1x2" -> ("x1", "x2", "x1x2"), in the order of FEATURES, each once.

    Raises ValueError naming the unknown entries and the allowed ones."""
    names = [part.strip() for part in str(text).split(",") if part.strip()]
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"features={text!r}: {', '.join(repr(n) for n in unknown)} not known; "
                         f"use a comma-separated subset of {','.join(FEATURES)}")
    if not names:
        raise ValueError(f"features={text!r} selects no feature: give at least one of "
                         f"{','.join(FEATURES)}, e.g. x1,x2")
    return tuple(name for name in FEATURES if name in names)


def feature_map(X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """(n, 2) points -> (n, len(names)) float32 columns, one per feature name, in that order."""
    X = np.asarray(X, np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"feature_map expects points of shape (n, 2); got {X.shape}")
    unknown = [name for name in names if name not in _FORMULAS]
    if unknown:
        raise ValueError(f"unknown features {unknown}: use names from {', '.join(FEATURES)}")
    x1, x2 = X[:, 0], X[:, 1]
    columns = [_FORMULAS[name](x1, x2) for name in names]
    return np.stack(columns, axis=1).astype(np.float32) if columns else np.zeros((len(X), 0),
                                                                                   np.float32)

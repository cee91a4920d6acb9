"""Hyperparameter search and cross-validation, the numbers behind the Regularisation page.

Two hyperparameters, typically one important and one much less so (for a small MLP on digits the
learning rate usually matters more than the dropout rate). A grid of g × g cells spends g² trainings
on only g distinct values of each; random search with the same budget tries budget distinct values
of each, so it samples the important axis far more finely (Bergstra & Bengio, 2012). Every point
is rounded to 3 significant digits and drawn from a fixed seed, so the whole class asks for the
same settings and each is trained once for everyone.
"""

from __future__ import annotations

import math

import numpy as np

LEARNING_RATES = (1e-4, 1e-1)  # log-uniform
DROPOUTS = (0.0, 0.7)  # uniform
SEARCH_SEED = 0


def _round(value: float, digits: int = 3) -> float:
    """3 significant digits: a short, shared setting (and cache key) for every learner."""
    if value == 0:
        return 0.0
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def grid_points(per_axis: int) -> list[tuple[float, float]]:
    """(learning rate, dropout) at the cells of a per_axis × per_axis grid: learning rates evenly
    spaced in log from 1e-4 to 1e-1, dropout evenly from 0 to 0.7. Row-major: lr varies fastest."""
    if per_axis < 2:
        raise ValueError(f"a grid needs at least 2 values per axis, got {per_axis}")
    rates = np.geomspace(*LEARNING_RATES, per_axis)
    dropouts = np.linspace(*DROPOUTS, per_axis)
    return [(_round(float(r)), _round(float(d), 2)) for d in dropouts for r in rates]


def random_points(budget: int, seed: int = SEARCH_SEED) -> list[tuple[float, float]]:
    """`budget` (learning rate, dropout) pairs: log-uniform and uniform over the same ranges as
    the grid, from a fixed seed (the first k are the same whatever the budget)."""
    rng = np.random.default_rng(seed)
    low, high = np.log10(LEARNING_RATES)
    points = []
    for _ in range(budget):
        rate = 10 ** rng.uniform(low, high)
        dropout = rng.uniform(*DROPOUTS)
        points.append((_round(float(rate)), _round(float(dropout), 2)))
    return points


def best_so_far(scores: list[float | None]) -> list[float | None]:
    """The best score among the trainings up to each one, in the search's order, drawn only
    where that training has been done (None elsewhere: a cell nobody trained yet is no point on
    the curve, so a half-filled search never looks finished)."""
    best, out = None, []
    for score in scores:
        if score is not None and (best is None or score > best):
            best = score
        out.append(best if score is not None else None)
    return out


def spread(scores: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof = 1) of a set of validation scores."""
    values = np.asarray(scores, dtype=float)
    if len(values) < 2:
        raise ValueError(f"a spread needs at least 2 scores, got {len(values)}")
    return float(values.mean()), float(values.std(ddof=1))

"""Gradient descent on a real two-parameter model: its data, its exact loss surface, its minimum.

Every problem has exactly two weights (w₁, w₂), so the whole loss surface L(w₁, w₂) can be
computed on a grid and drawn, and an optimiser's path drawn on top of it:

- "tips"  plotly's bundled restaurant tips: tip ≈ w₁·(bill / its std) + w₂, mean squared
  error. Convex (a quadratic bowl); the minimum has a closed form (normal equations).
- "iris"  plotly's bundled iris flowers, versicolor (0) vs virginica (1) from two standardised
  petal measurements, no bias: p = σ(w₁x₁ + w₂x₂), mean binary cross-entropy. Convex; the
  classes overlap, so the minimum is finite. Found by Newton's method.
- "line"  generated (seed 0), needs no file: y = 1.5x − 0.5 + noise, ŷ = w₁x + w₂, MSE. Convex.
- "tanh"  generated (seed 0): ŷ = w₂·tanh(w₁x), MSE. NOT convex: (w₁, w₂) and (−w₁, −w₂) give
  the same function, so there are two global minima, with a saddle point between them at the
  origin; where |w₁| is large tanh saturates and the surface is a flat plateau on which plain
  gradient descent crawls. See `critical_points`. From the default start (5.5, −0.5), full-batch
  GD with η = 0.1 fixes w₂ ≈ 1.46 within 50 steps, then creeps along the plateau (loss ≈ 0.20
  to 0.19 from step 50 to step 300, w₁ still ≈ 4.9) and reaches the minimum after ~2000 steps.

The loss is always the mean over the WHOLE data set (what full-batch gradient descent
minimises); a mini-batch's loss is a noisy estimate of it. Pure numpy, no Keras, no streamlit.

Keras's SGD: `keras.optimizers.SGD(learning_rate=η, momentum=α)` (keras/src/optimizers/sgd.py,
`update_step`) does exactly v ← αv − ηg; θ ← θ + v, which is Goodfellow et al.'s Algorithm 8.2
(PSEUDOCODE["momentum"]), with v starting at 0. With momentum=0 it is θ ← θ − ηg. With
nesterov=True it computes the same v ← αv − ηg and then θ ← θ + αv − ηg (the "look-ahead"
form of Nesterov momentum, written with the gradient at the current θ).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from dl_core.foundations.problems import PROBLEMS, Problem, load_problem  # noqa: F401  (re-exported)

EPSILON = 1e-7  # keras.config.epsilon(): BCE clips p to [ε, 1 − ε]
_CHUNK = 8192  # grid points per vectorised block in loss_at (bounds memory: chunk × n floats)

PSEUDOCODE = {
    "sgd": (
        "Stochastic gradient descent (SGD)\n"
        "Require: learning rate η, initial parameters θ\n"
        "while stopping criterion not met do\n"
        "    sample a mini-batch of m examples {x⁽¹⁾, …, x⁽ᵐ⁾} with targets y⁽ⁱ⁾\n"
        "    compute the gradient estimate: g ← (1/m) ∇θ Σᵢ L(f(x⁽ⁱ⁾; θ), y⁽ⁱ⁾)\n"
        "    apply the update: θ ← θ − η g\n"
        "end while"
    ),
    "momentum": (
        "SGD with momentum (Goodfellow et al., Algorithm 8.2)\n"
        "Require: learning rate η, momentum parameter α, initial parameters θ, initial velocity v\n"
        "while stopping criterion not met do\n"
        "    sample a mini-batch of m examples {x⁽¹⁾, …, x⁽ᵐ⁾} with targets y⁽ⁱ⁾\n"
        "    compute the gradient estimate: g ← (1/m) ∇θ Σᵢ L(f(x⁽ⁱ⁾; θ), y⁽ⁱ⁾)\n"
        "    compute the velocity update: v ← α v − η g\n"
        "    apply the update: θ ← θ + v\n"
        "end while"
    ),
}


class Minimum(NamedTuple):
    w1: float
    w2: float
    loss: float  # loss_at(problem, w1, w2)
    method: str  # how it was found, in words


class CriticalPoint(NamedTuple):
    w1: float
    w2: float
    loss: float
    kind: str  # "minimum", "saddle" or "maximum" (from the Hessian's eigenvalue signs)
    eigenvalues: tuple  # the Hessian's two eigenvalues there, ascending


# ----------------------------------------------------------------------------- loss, gradient

def _sigmoid(s):
    return 0.5 * (1.0 + np.tanh(0.5 * s))  # overflow-free σ


def _predict(problem: Problem, w1, w2):
    """ŷ (or p) for arrays w1, w2 of shape S: returns shape S + (n,)."""
    w1 = np.asarray(w1, dtype=np.float64)[..., None]
    w2 = np.asarray(w2, dtype=np.float64)[..., None]
    x = problem.x
    if problem.name == "iris":
        return _sigmoid(w1 * x[:, 0] + w2 * x[:, 1])
    if problem.name == "tanh":
        return w2 * np.tanh(w1 * x)
    return w1 * x + w2


def _mean_loss(problem: Problem, w1, w2) -> np.ndarray:
    out = _predict(problem, w1, w2)
    if problem.loss == "bce":
        p = np.clip(out, EPSILON, 1.0 - EPSILON)
        y = problem.y
        return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p), axis=-1)
    return np.mean((out - problem.y) ** 2, axis=-1)


def loss_at(problem: Problem, w1, w2):
    """The exact mean loss over the whole data set at (w1, w2).

    w1 and w2 are scalars or arrays of one (broadcastable) shape; the result has that shape
    (a float for scalars). BCE clips p to [1e-7, 1 − 1e-7] as Keras does. Large grids are
    computed in blocks of `_CHUNK` points so memory stays at about _CHUNK × n floats.
    """
    w1, w2 = np.broadcast_arrays(np.asarray(w1, dtype=np.float64),
                                 np.asarray(w2, dtype=np.float64))
    if w1.ndim == 0:
        return float(_mean_loss(problem, w1, w2))
    flat1, flat2 = w1.ravel(), w2.ravel()
    out = np.empty(flat1.shape, dtype=np.float64)
    for lo in range(0, flat1.size, _CHUNK):
        out[lo:lo + _CHUNK] = _mean_loss(problem, flat1[lo:lo + _CHUNK], flat2[lo:lo + _CHUNK])
    return out.reshape(w1.shape)


def loss_surface(problem: Problem, n: int = 200, box=None):
    """(w1_axis (n,), w2_axis (n,), L (n, n)) on an n × n grid over `box` (default
    problem.box), with L[i, j] = loss_at(problem, w1_axis[j], w2_axis[i]): rows follow w₂,
    columns w₁ (the layout plotly's contour/heatmap expect for x = w1_axis, y = w2_axis).

    Measured, n = 200 on 2 CPU cores (best of 3, warm): tips 0.07 s, iris 0.10 s, line 0.02 s,
    tanh 0.03 s (first call, cold: up to 0.22 s).
    """
    (a1, b1), (a2, b2) = box if box is not None else problem.box
    w1_axis = np.linspace(float(a1), float(b1), int(n))
    w2_axis = np.linspace(float(a2), float(b2), int(n))
    W1, W2 = np.meshgrid(w1_axis, w2_axis)  # W1[i, j] = w1_axis[j], W2[i, j] = w2_axis[i]
    return w1_axis, w2_axis, loss_at(problem, W1, W2)


def gradient_at(problem: Problem, w1, w2):
    """(∂L/∂w₁, ∂L/∂w₂), the analytic full-data gradient; arrays like loss_at.

    MSE, ŷ = w₁x + w₂:        g = (2/n) Σ (ŷ − y)·(x, 1)
    BCE, p = σ(w₁x₁ + w₂x₂):  g = (1/n) Σ (p − y)·(x₁, x₂)   (the clip at 1e-7 is ignored:
                              it only matters where |w₁x₁ + w₂x₂| > 16)
    MSE, ŷ = w₂ tanh(w₁x):    g = (2/n) Σ (ŷ − y)·(w₂ x (1 − tanh²(w₁x)), tanh(w₁x))
    """
    scalar = np.ndim(w1) == 0 and np.ndim(w2) == 0
    w1, w2 = np.broadcast_arrays(np.asarray(w1, dtype=np.float64),
                                 np.asarray(w2, dtype=np.float64))
    a, b = w1[..., None], w2[..., None]
    x, y = problem.x, problem.y
    if problem.name == "iris":
        r = _sigmoid(a * x[:, 0] + b * x[:, 1]) - y
        g1, g2 = np.mean(r * x[:, 0], axis=-1), np.mean(r * x[:, 1], axis=-1)
    elif problem.name == "tanh":
        t = np.tanh(a * x)
        r = 2.0 * (b * t - y)
        g1, g2 = np.mean(r * b * x * (1.0 - t * t), axis=-1), np.mean(r * t, axis=-1)
    else:
        r = 2.0 * (a * x + b - y)
        g1, g2 = np.mean(r * x, axis=-1), np.mean(r, axis=-1)
    if scalar:
        return float(g1), float(g2)
    return g1, g2


def hessian(problem: Problem, w1: float, w2: float) -> np.ndarray:
    """The (2, 2) Hessian of L at (w1, w2).

    Analytic where it is simple: MSE linear (tips, line) H = (2/n) Σ [x, 1][x, 1]ᵀ, the same
    everywhere; iris H = (1/n) Σ p(1 − p) x xᵀ. tanh: central finite differences of
    gradient_at (step 1e-5), symmetrised.
    """
    w1, w2 = float(w1), float(w2)
    x = problem.x
    if problem.name in ("tips", "line"):
        return 2.0 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    if problem.name == "iris":
        p = _sigmoid(x @ np.array([w1, w2]))
        return (x * (p * (1.0 - p))[:, None]).T @ x / len(x)
    h = 1e-5
    cols = []
    for e1, e2 in ((h, 0.0), (0.0, h)):
        gp = np.array(gradient_at(problem, w1 + e1, w2 + e2))
        gm = np.array(gradient_at(problem, w1 - e1, w2 - e2))
        cols.append((gp - gm) / (2 * h))
    H = np.stack(cols, axis=1)
    return 0.5 * (H + H.T)


# ----------------------------------------------------------------------------- minima

def gradient_descent(problem: Problem, start, learning_rate: float, steps: int):
    """Plain full-batch gradient descent θ ← θ − η∇L(θ), in numpy.

    Returns (path (steps + 1, 2), losses (steps + 1,)), the start included. Stops early (the
    arrays are then shorter) as soon as divergence_step reports a divergence.
    """
    w = np.array(start, dtype=np.float64)
    path, losses = [w.copy()], [loss_at(problem, *w)]
    for _ in range(int(steps)):
        g = np.array(gradient_at(problem, *w))
        w = w - learning_rate * g
        path.append(w.copy())
        losses.append(loss_at(problem, *w))
        if divergence_step([losses[0], losses[-1]], [path[0], path[-1]]) is not None:
            break
    return np.array(path), np.array(losses)


def _newton(problem: Problem, w, iters: int = 100, tol: float = 1e-13):
    """Newton's method on the gradient: w ← w − H⁻¹g. Returns (w, converged)."""
    w = np.array(w, dtype=np.float64)
    for _ in range(iters):
        g = np.array(gradient_at(problem, *w))
        if not np.all(np.isfinite(g)):
            return w, False
        if np.linalg.norm(g) < tol:
            return w, True
        try:
            w = w - np.linalg.solve(hessian(problem, *w), g)
        except np.linalg.LinAlgError:
            return w, False
        if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e3:
            return w, False
    return w, bool(np.linalg.norm(gradient_at(problem, *w)) < 1e-9)


@functools.lru_cache(maxsize=None)
def _minimum(name: str) -> Minimum:
    problem = load_problem(name)
    x, y = problem.x, problem.y
    if name in ("tips", "line"):
        A = np.stack([x, np.ones_like(x)], axis=1)
        w = np.linalg.solve(A.T @ A, A.T @ y)
        method = "closed form: the normal equations (XᵀX) w = Xᵀy"
    elif name == "iris":
        w, ok = _newton(problem, (0.0, 0.0))
        assert ok, "Newton's method did not converge on iris"
        method = "Newton's method with the analytic Hessian, from (0, 0)"
    else:
        best = None
        for start in ((0.5, 0.5), (2.0, 1.0), (1.0, 3.0), (-0.5, -0.5), (-2.0, -1.0)):
            path, _ = gradient_descent(problem, start, 0.3, 1000)
            w, ok = _newton(problem, path[-1])
            if ok and (best is None or loss_at(problem, *w) < loss_at(problem, *best)):
                best = w
        w = np.array(best) * (1.0 if best[0] > 0 else -1.0)  # the twin with w₁ > 0
        method = ("best of 5 full-batch gradient-descent runs (1000 steps, η = 0.3) polished "
                  "by Newton; (−w₁, −w₂) is the other, equally good minimum")
    w1, w2 = float(w[0]), float(w[1])
    return Minimum(w1, w2, loss_at(problem, w1, w2), method)


def minimum(problem: Problem) -> Minimum:
    """The global minimum of the full-data loss (cached per problem).

    tips, line: the normal equations. iris: Newton's method with the analytic Hessian (the
    loss is strictly convex and, because the classes overlap, bounded below by a positive
    minimum at finite w). tanh: the best of several long full-batch gradient-descent runs,
    polished by Newton; of the two symmetric global minima the one with w₁ > 0 is returned,
    the other is (−w₁, −w₂) with the same loss.
    """
    return _minimum(problem.name)


def _classify(H: np.ndarray) -> tuple[str, tuple]:
    ev = np.linalg.eigvalsh(H)
    kind = "minimum" if ev[0] > 0 else "maximum" if ev[1] < 0 else "saddle"
    return kind, (float(ev[0]), float(ev[1]))


@functools.lru_cache(maxsize=None)
def _critical_points(name: str) -> tuple:
    problem = load_problem(name)
    (a1, b1), (a2, b2) = problem.box
    found: list[np.ndarray] = []
    for s1 in np.linspace(a1, b1, 9):
        for s2 in np.linspace(a2, b2, 9):
            w, ok = _newton(problem, (s1, s2), iters=60)
            if not ok or not (a1 <= w[0] <= b1 and a2 <= w[1] <= b2):
                continue
            w = np.where(np.abs(w) < 1e-9, 0.0, w)
            if all(np.linalg.norm(w - f) > 1e-6 for f in found):
                found.append(w)
    points = []
    for w in found:
        kind, ev = _classify(hessian(problem, *w))
        points.append(CriticalPoint(float(w[0]), float(w[1]), loss_at(problem, *w), kind, ev))
    return tuple(sorted(points, key=lambda p: (p.loss, -p.w1)))


def critical_points(problem: Problem) -> list[CriticalPoint]:
    """Every point in problem.box where the gradient vanishes, lowest loss first.

    Found by Newton's method on the gradient from a 9 × 9 grid of starts over the box, kept
    when it converged (|g| < 1e-13) inside the box, de-duplicated, classified by the signs of
    the Hessian's eigenvalues. For "tanh": the two global minima (w₁*, w₂*) and (−w₁*, −w₂*)
    and the saddle at (0, 0), where L = mean(y²) and H = [[0, −2c], [−2c, 0]] with
    c = mean(x·y), eigenvalues ±2c. (Along the whole line w₂ = 0 ∂L/∂w₁ = 0 too, but
    ∂L/∂w₂ ≠ 0 except at w₁ = 0, so the origin is the only critical point on it.)
    For a convex problem the list is just the minimum.
    """
    return list(_critical_points(problem.name))


def max_stable_learning_rate(problem: Problem) -> float:
    """2 / λ_max, with λ_max the largest eigenvalue of the Hessian at the minimum.

    Why: near the minimum w*, L(w) ≈ L* + ½(w − w*)ᵀH(w − w*), and full-batch gradient descent
    gives w − w* ← (I − ηH)(w − w*). Along each eigenvector of H the error is multiplied by
    (1 − ηλ) every step, so it shrinks iff |1 − ηλ| < 1, i.e. 0 < η < 2/λ. For a quadratic (tips,
    line: exactly) GD therefore converges from every start iff 0 < η < 2/λ_max, the steepest
    direction being the first to oscillate and blow up. For iris and tanh this is the local
    limit near the minimum.
    """
    m = minimum(problem)
    return float(2.0 / np.linalg.eigvalsh(hessian(problem, m.w1, m.w2))[-1])


# ----------------------------------------------------------------------------- path figures

def divergence_step(losses, path, limit: float = 1e6) -> int | None:
    """The first step t whose loss is non-finite or above `limit` × losses[0], or whose point
    path[t] is non-finite or has |w| > 1e6; None when the run never diverged.

    `losses` (T + 1,) and `path` (T + 1, 2) include the start at index 0.
    """
    losses = np.asarray(losses, dtype=np.float64)
    path = np.asarray(path, dtype=np.float64).reshape(len(path), -1)
    start = abs(losses[0]) if len(losses) and np.isfinite(losses[0]) else np.inf
    bound = limit * max(start, 1e-12)
    with np.errstate(invalid="ignore", over="ignore"):
        bad_loss = ~np.isfinite(losses) | (losses > bound)
        norm = np.linalg.norm(path, axis=1)
        bad_w = ~np.isfinite(norm) | (norm > 1e6)
    n = min(len(losses), len(path))
    bad = bad_loss[:n] | bad_w[:n]
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def direction_variability(path) -> float:
    """The mean of (1 − cos θₜ), θₜ the angle between successive step vectors of a path.

    0 for a straight path, 1 for steps at right angles on average, up to 2 for a path that
    reverses every step (a zig-zag across a valley). Zero-length steps are skipped; fewer than
    two real steps give 0.
    """
    path = np.asarray(path, dtype=np.float64)
    steps = np.diff(path, axis=0)
    norms = np.linalg.norm(steps, axis=1)
    steps = steps[norms > 0] / norms[norms > 0][:, None]
    if len(steps) < 2:
        return 0.0
    cos = np.clip(np.sum(steps[1:] * steps[:-1], axis=1), -1.0, 1.0)
    return float(np.mean(1.0 - cos))

"""The perceptron rule, exactly as the course teaches it, one sample at a time.

Model: ŷ = f(wᵀx) with the step f(s) = 1 if s ≥ 0 else 0, and x augmented with a leading 1 so
that the bias is the first weight: x = [1, x1, x2], w = [w0, w1, w2], wᵀx = w0 + w1·x1 + w2·x2.

Update, after each sample: w ← w + η(y − ŷ)x.

Why the sign is +: the error y − ŷ is +1 when the answer should have been 1 but the score was
negative. Adding ηx raises the score of that same x by (w + ηx)ᵀx − wᵀx = η‖x‖² > 0, towards
≥ 0. When y − ŷ = −1 (said 1, should be 0) the rule subtracts ηx and the score falls by η‖x‖².
A right answer gives y − ŷ = 0: nothing changes. On linearly separable data this stops after
finitely many mistakes (Novikoff's theorem); on XOR no line separates the classes, so it never
stops making mistakes.

Pure numpy, no Keras: the page replays every step instantly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POINT_SETS = ("separable", "and", "or", "xor")
CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TRUTH_TABLES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "xor": (0, 1, 1, 0)}
EXAMPLE_WEIGHTS = (1.0, 3.0, -2.0)  # the course's 2-D example: ŷ = g(1 + 3x₁ − 2x₂)
SEPARABLE_PER_CLASS = 30
SEPARABLE_MARGIN = 0.5  # every blob point lies at least this far from the line x1 + x2 = 0


@dataclass(frozen=True)
class PerceptronStep:
    """One sample seen by the rule: what it scored, what it answered, how w moved."""

    epoch: int  # 1 = the first pass over the data
    index: int  # the sample's row in X
    x: np.ndarray  # augmented input [1, x1, x2]
    y: int  # the true label, 0 or 1
    score: float  # wᵀx with the weights before the update
    y_hat: int  # f(score)
    update: np.ndarray  # η(y − ŷ)x: zero when the answer was right
    w_before: np.ndarray
    w_after: np.ndarray
    mistake: bool  # y_hat != y


def heaviside(score: float) -> int:
    """The course's step: 1 at s ≥ 0 (so a point on the line counts as class 1), else 0."""
    return 1 if score >= 0 else 0


def augment(x: np.ndarray) -> np.ndarray:
    """[x1, x2] -> [1, x1, x2] (rows of a matrix too): the leading 1 multiplies the bias w0."""
    x = np.asarray(x, dtype=np.float64)
    ones = np.ones(x.shape[:-1] + (1,))
    return np.concatenate([ones, x], axis=-1)


def step(w, x, y, eta: float, epoch: int = 1, index: int = 0) -> PerceptronStep:
    """Apply the rule to one sample. `x` is the raw feature vector [x1, x2] (augmented here)."""
    w = np.asarray(w, dtype=np.float64)
    x_aug = augment(x)
    if x_aug.shape != w.shape:
        raise ValueError(f"x has {x_aug.shape[0] - 1} features but w has {w.shape[0]} weights: "
                         f"w must be [w0 (bias), w1, ..., w{x_aug.shape[0] - 1}]")
    if int(y) not in (0, 1):
        raise ValueError(f"y={y!r} is not a class label: expected 0 or 1")
    score = float(w @ x_aug)
    y_hat = heaviside(score)
    update = eta * (int(y) - y_hat) * x_aug
    return PerceptronStep(epoch=epoch, index=index, x=x_aug, y=int(y), score=score, y_hat=y_hat,
                          update=update, w_before=w.copy(), w_after=w + update,
                          mistake=y_hat != int(y))


def run(X, y, w0, eta: float, epochs: int, order_seed: int | None = None) -> list[PerceptronStep]:
    """Every step of at most `epochs` passes, one sample at a time.

    Samples are visited in row order, or in a fresh random order each epoch when `order_seed`
    is given. Training stops at the end of the first epoch without a single mistake: the line
    then separates every point, and further passes would change nothing.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"X must be (n, features) with one label per row: got X {X.shape}, "
                         f"y {y.shape}")
    if epochs < 1:
        raise ValueError(f"epochs={epochs!r}: expected at least 1")
    rng = None if order_seed is None else np.random.default_rng(order_seed)
    w = np.asarray(w0, dtype=np.float64)
    steps: list[PerceptronStep] = []
    for epoch in range(1, epochs + 1):
        order = np.arange(len(X)) if rng is None else rng.permutation(len(X))
        mistakes = 0
        for i in order:
            record = step(w, X[i], y[i], eta, epoch=epoch, index=int(i))
            steps.append(record)
            w = record.w_after
            mistakes += record.mistake
        if mistakes == 0:
            break
    return steps


def mistakes_per_epoch(steps: list[PerceptronStep]) -> list[int]:
    """Mistakes in each epoch, first epoch first: the perceptron's learning curve."""
    if not steps:
        return []
    counts = [0] * max(s.epoch for s in steps)
    for s in steps:
        counts[s.epoch - 1] += s.mistake
    return counts


def initial_weights(seed: int) -> np.ndarray:
    """Small random [w0, w1, w2] ~ N(0, 0.1²): a start with no opinion, but reproducible."""
    return np.random.default_rng(seed).normal(0.0, 0.1, size=3)


def predict(w, X) -> np.ndarray:
    """ŷ = f(wᵀx) for every row of X (raw features), as an int array of 0/1."""
    scores = augment(X) @ np.asarray(w, dtype=np.float64)
    return (scores >= 0).astype(int)


def line_points(w, x_range=(-3.0, 3.0)) -> np.ndarray | None:
    """The boundary w0 + w1·x1 + w2·x2 = 0 clipped to the square box x_range × x_range.

    Returns a (2, 2) array of end points [[x1, x2], [x1, x2]], or None when there is no line
    (w1 = w2 = 0: the score is the constant w0) or the line misses the box. w2 = 0 is the
    vertical line x1 = −w0/w1; w1 = 0 the horizontal line x2 = −w0/w2.
    """
    w0, w1, w2 = (float(v) for v in w)
    lo, hi = (float(v) for v in x_range)
    if not lo < hi:
        raise ValueError(f"x_range={x_range!r}: expected (low, high) with low < high")
    if w1 == 0 and w2 == 0:
        return None
    candidates = []
    for edge in (lo, hi):
        if w2 != 0:  # crossing the vertical edge x1 = edge
            candidates.append((edge, -(w0 + w1 * edge) / w2))
        if w1 != 0:  # crossing the horizontal edge x2 = edge
            candidates.append((-(w0 + w2 * edge) / w1, edge))
    tol = 1e-12 * (hi - lo)
    inside = [p for p in candidates if lo - tol <= p[0] <= hi + tol and lo - tol <= p[1] <= hi + tol]
    if len(inside) < 2:
        return None
    points = np.array(inside)
    gaps = np.linalg.norm(points[:, None] - points[None], axis=-1)
    a, b = np.unravel_index(np.argmax(gaps), gaps.shape)
    if gaps[a, b] <= tol:  # the line only touches a corner
        return None
    return np.clip(points[[a, b]], lo, hi)


def perceptron_points(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A built-in set: X (n, 2) float64 and y (n,) int in {0, 1}.

    "and", "or", "xor": exactly the four corners (0,0), (0,1), (1,0), (1,1) with their truth
    table, so the learner can read it off. "separable": two Gaussian blobs that are linearly
    separable by construction (every point at least SEPARABLE_MARGIN from x1 + x2 = 0 on its
    own side; a point that falls short is redrawn), so the rule must converge.
    """
    if name in TRUTH_TABLES:
        return CORNERS.copy(), np.array(TRUTH_TABLES[name], dtype=int)
    if name == "separable":
        return _separable_blobs(seed)
    raise ValueError(f"unknown point set {name!r}: expected one of {', '.join(POINT_SETS)}")


def _separable_blobs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = {0: np.array([-1.2, -1.0]), 1: np.array([1.0, 1.2])}
    xs, ys = [], []
    for label, centre in centres.items():
        side = 1.0 if label == 1 else -1.0
        points = np.empty((0, 2))
        while len(points) < SEPARABLE_PER_CLASS:
            draw = centre + 0.6 * rng.standard_normal((SEPARABLE_PER_CLASS, 2))
            signed = side * draw.sum(axis=1) / np.sqrt(2.0)  # distance to x1 + x2 = 0
            points = np.vstack([points, draw[signed >= SEPARABLE_MARGIN]])
        xs.append(points[:SEPARABLE_PER_CLASS])
        ys.append(np.full(SEPARABLE_PER_CLASS, label))
    X, y = np.vstack(xs), np.concatenate(ys)
    order = rng.permutation(len(X))  # mixed classes, so the fixed order is not class by class
    return X[order], y[order].astype(int)


def example_line() -> np.ndarray:
    """The course's 2-D example: w = (1, 3, −2), i.e. ŷ = g(1 + 3x₁ − 2x₂)."""
    return np.array(EXAMPLE_WEIGHTS)


def example_prediction(x1: float, x2: float) -> tuple[float, int]:
    """(score 1 + 3x₁ − 2x₂, ŷ = step(score)) for the course's example line."""
    score = float(example_line() @ augment([x1, x2]))
    return score, heaviside(score)

"""2-D classification datasets for the MLP playground, and a learner's own points from a CSV.

Every built-in set lives in the square [-1, 1]² before noise (x₁ across, x₂ up), so one
decision-surface grid fits all of them, and is drawn deterministically from a seed with balanced
classes. `noise` (0 … 0.5) is a Gaussian jitter of standard deviation σ = noise · R / 2 added to
every point after its label is fixed, with R = 1 the data's radius: at 0.1 the classes keep a
clear gap, at 0.5 they overlap.

A learner's CSV (`x1,x2,label`) is checked row by row and every problem is one line saying what
was found and how to fix it (never a traceback, never a server path). Its points are rescaled per
axis to [-1, 1] so the same grid works; `PointsFile` keeps the offsets and scales to undo that.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass

import numpy as np

DATASETS = ("circles", "xor", "spirals", "moons", "blobs")
MAX_ROWS = 50_000
MAX_CLASSES = 10
MAX_BYTES = 8_000_000  # 50 000 rows of x1,x2,label fit in ~2 MB; more is not a playground CSV
NEEDED_COLUMNS = ("x1", "x2", "label")
XOR_MARGIN = 0.1  # points keep this distance from the axes, so XOR's classes have a gap
BLOB_RADIUS = 0.6  # blob centres sit on a circle of this radius
BLOB_SIGMA = 0.15


def make_points(name: str, n: int, noise: float, seed: int, classes: int = 2
                ) -> tuple[np.ndarray, np.ndarray]:
    """X float32 (n, 2) within about [-1, 1]², y int64 (n,) in 0..k-1, balanced (class sizes
    differ by at most one). `classes` is used by "blobs" only (2–5); the others have 2."""
    if name not in DATASETS:
        raise ValueError(f"dataset {name!r} is not known: choose one of {', '.join(DATASETS)}")
    if n < 2:
        raise ValueError(f"points={n} is too few: ask for at least 2")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise={noise} is out of range: use a value from 0 to 0.5")
    k = classes if name == "blobs" else 2
    if not 2 <= k <= 5:
        raise ValueError(f"classes={classes} is out of range for blobs: use 2 to 5")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    rng.shuffle(y)
    X = _SHAPES[name](y, k, rng)
    X = X + (noise / 2) * rng.standard_normal(X.shape)
    return X.astype(np.float32), y.astype(np.int64)


def _circles(y, k, rng):
    """Class 0: a disc r ≤ 0.5; class 1: a ring 0.7 ≤ r ≤ 1 (TensorFlow Playground's circle)."""
    r = np.where(y == 0, 0.5 * rng.random(len(y)), 0.7 + 0.3 * rng.random(len(y)))
    angle = 2 * np.pi * rng.random(len(y))
    return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)


def _xor(y, k, rng):
    """Label = [x₁·x₂ < 0]: class 0 in quadrants I and III, class 1 in II and IV; each
    coordinate is kept XOR_MARGIN away from zero."""
    n = len(y)
    magnitude = XOR_MARGIN + (1 - XOR_MARGIN) * rng.random((n, 2))
    sign_1 = rng.choice([-1.0, 1.0], n)
    sign_2 = np.where(y == 0, sign_1, -sign_1)
    return magnitude * np.stack([sign_1, sign_2], axis=1)


def _spirals(y, k, rng):
    """Two interleaved Archimedean arms r = t/(1.75·2π), t ∈ [0, 1.75·2π], the second turned π."""
    turns = 1.75
    t = np.sqrt(rng.random(len(y))) * turns * 2 * np.pi
    r = 0.05 + 0.95 * t / (turns * 2 * np.pi)
    angle = t + np.pi * y
    return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)


def _moons(y, k, rng):
    """scikit-learn's two moons: upper half circle and a lower one shifted by (1, −0.5), fitted
    into [-1, 1]² by x ↦ (x − (0.5, 0.25)) / 1.5."""
    t = np.pi * rng.random(len(y))
    x1 = np.where(y == 0, np.cos(t), 1 - np.cos(t))
    x2 = np.where(y == 0, np.sin(t), 0.5 - np.sin(t))
    return np.stack([(x1 - 0.5) / 1.5, (x2 - 0.25) / 1.5], axis=1)


def _blobs(y, k, rng):
    """k Gaussian blobs of σ = BLOB_SIGMA with centres evenly spaced on a circle."""
    angles = 2 * np.pi * np.arange(k) / k + np.pi / 4
    centres = BLOB_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centres[y] + BLOB_SIGMA * rng.standard_normal((len(y), 2))


_SHAPES = {"circles": _circles, "xor": _xor, "spirals": _spirals, "moons": _moons,
           "blobs": _blobs}


def split(X: np.ndarray, y: np.ndarray, test_ratio: float, seed: int
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified split: from each class, round(test_ratio · n_c) points go to the test set
    (at least one, and at least one stays for training, when the class has two or more).
    Returns X_train, y_train, X_test, y_test, each shuffled, deterministic from `seed`."""
    if not 0 < test_ratio < 1:
        raise ValueError(f"test_ratio={test_ratio} is out of range: use a fraction between 0 and 1")
    rng = np.random.default_rng(seed)
    train_parts, test_parts = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        count = int(round(test_ratio * len(members)))
        if len(members) >= 2:
            count = min(max(count, 1), len(members) - 1)
        test_parts.append(members[:count])
        train_parts.append(members[count:])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.concatenate(test_parts))
    return X[train], y[train], X[test], y[test]


@dataclass(frozen=True)
class PointsFile:
    """A learner's CSV read and checked: points rescaled to [-1, 1] per axis by
    x_scaled = (x_raw − offset) / scale, labels as indices into `labels`."""
    x: np.ndarray  # float32 (n, 2), in [-1, 1]
    y: np.ndarray  # int64 (n,)
    labels: list[str]
    offset: np.ndarray  # float64 (2,): the centre of each axis's range
    scale: np.ndarray  # float64 (2,): half of each axis's range (1 where the range is 0)


def load_points_csv(path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """X float32 (n, 2) rescaled to [-1, 1] per axis, y int64 indices, label names sorted
    (numerically when every label is a number). Raises ValueError with one line for the learner."""
    points = read_points_csv(path)
    return points.x, points.y, points.labels


def read_points_csv(path) -> PointsFile:
    """`load_points_csv`, keeping the rescaling (offset, scale) so the page can show the
    learner's own axis values."""
    text = _text(path)
    try:
        rows = _rows(text)
    except csv.Error as err:  # e.g. a quote never closed, a field of megabytes
        raise ValueError(f"the file could not be read as a CSV ({err}): expected rows like "
                         "0.5,-1.2,red") from None
    raw, names = _parse(rows)
    labels = _sorted_labels(set(names))
    if len(labels) < 2:
        raise ValueError(f"the CSV has only one class ({labels[0]!r}): a classifier needs at "
                         "least 2 different values in the label column")
    if len(labels) > MAX_CLASSES:
        raise ValueError(f"the CSV has {len(labels)} classes; at most {MAX_CLASSES} are "
                         "allowed: merge some labels or drop their rows")
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[name] for name in names], np.int64)
    low, high = raw.min(axis=0), raw.max(axis=0)
    offset = (low + high) / 2
    scale = np.where(high > low, (high - low) / 2, 1.0)
    x = ((raw - offset) / scale).astype(np.float32)
    return PointsFile(x, y, labels, offset, scale)


def _text(path) -> str:
    """The file as text: empty, oversized and binary files are refused here."""
    size = os.path.getsize(path)
    if size == 0:
        raise ValueError("the CSV is empty: it needs a header x1,x2,label and one row per point")
    if size > MAX_BYTES:
        raise ValueError(f"the file has {size / 1e6:.1f} MB; a points CSV of at most "
                         f"{MAX_ROWS:,} rows is expected (under {MAX_BYTES // 1_000_000} MB)")
    with open(path, "rb") as handle:
        raw = handle.read()
    if b"\x00" in raw:
        raise ValueError("the file is binary, not a CSV: save it as text with columns x1,x2,label")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text: save it as a UTF-8 CSV with columns "
                         "x1,x2,label") from None
    if not text.strip():
        raise ValueError("the CSV is empty: it needs a header x1,x2,label and one row per point")
    return text


def _rows(text: str) -> list[tuple[int, str, str, str]]:
    """(line number, x1, x2, label) per data row, header checked, at most MAX_ROWS of them
    (reading stops at the first one more)."""
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader)]
    missing = [name for name in NEEDED_COLUMNS if name not in header]
    if missing:
        found = ", ".join(repr(cell) for cell in header if cell) or "nothing"
        raise ValueError(f"the CSV needs the columns x1, x2, label in its header line; "
                         f"found {found} (missing {', '.join(missing)})")
    columns = [header.index(name) for name in NEEDED_COLUMNS]
    width = max(columns) + 1
    rows = []
    for line, row in enumerate(reader, start=2):  # the header is line 1
        if not any(cell.strip() for cell in row):
            continue  # blank lines are harmless
        if len(rows) == MAX_ROWS:
            raise ValueError(f"the CSV has more than {MAX_ROWS:,} rows: keep at most {MAX_ROWS:,} "
                             "points (a sample is enough to see the decision boundary)")
        if len(row) < width:
            raise ValueError(f"row {line} has {len(row)} fields, fewer than the header's "
                             f"{len(header)}: every row needs x1, x2 and label")
        rows.append((line, *(row[c].strip() for c in columns)))
    if not rows:
        raise ValueError("the CSV has a header but no rows: add one row per point (x1,x2,label)")
    return rows


def _parse(rows: list[tuple[int, str, str, str]]) -> tuple[np.ndarray, list[str]]:
    """The numeric columns as float64 (n, 2), and the label column as stripped strings."""
    raw = np.empty((len(rows), 2), np.float64)
    names = []
    for i, (line, a, b, label) in enumerate(rows):
        for j, (column, cell) in enumerate((("x1", a), ("x2", b))):
            try:
                value = float(cell)
            except ValueError:
                raise ValueError(f"row {line}: {column}={cell[:30]!r} is not a number: x1 and x2 "
                                 "must be numbers like 0.5 or -1.2e3") from None
            if not math.isfinite(value):
                raise ValueError(f"row {line}: {column}={cell!r} is not a finite number: remove "
                                 "rows with NaN or infinite values")
            raw[i, j] = value
        if not label:
            raise ValueError(f"row {line}: the label is empty: every point needs a class label")
        names.append(label)
    return raw, names


def _sorted_labels(labels: set[str]) -> list[str]:
    """Numeric labels in numeric order ("2" before "10"), else alphabetical."""
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels)

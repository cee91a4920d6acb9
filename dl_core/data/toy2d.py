"""2-D target distributions for the toy GAN: Gaussian mixtures, two moons, a spiral, your points.

Everything lives in the square [-EXTENT, EXTENT]², so one heatmap grid fits every target. The
mixtures know their modes (centres and σ), which is what the quality figures need.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TARGETS = ("ring8", "grid25", "moons", "spiral", "custom")
EXTENT = 3.0
RING_RADIUS = 2.0
MODE_SIGMA = 0.05
MAX_CSV_BYTES = 2_000_000
MIN_CSV_POINTS = 20


@dataclass(frozen=True)
class Target:
    name: str
    sample: callable  # (n, rng) -> n×2 float32
    centres: np.ndarray | None = None  # K×2 for a Gaussian mixture, else None
    sigma: float | None = None


def ring_centres(count: int = 8, radius: float = RING_RADIUS) -> np.ndarray:
    angles = 2 * np.pi * np.arange(count) / count
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1).astype(np.float32)


def grid_centres(side: int = 5, spacing: float = 1.0) -> np.ndarray:
    ticks = (np.arange(side) - (side - 1) / 2) * spacing
    return np.array([(x, y) for x in ticks for y in ticks], np.float32)


def mixture_sampler(centres: np.ndarray, sigma: float):
    def sample(n: int, rng: np.random.Generator) -> np.ndarray:
        picks = rng.integers(0, len(centres), n)
        return (centres[picks] + sigma * rng.standard_normal((n, 2))).astype(np.float32)
    return sample


def sample_moons(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two interleaving half circles (as in scikit-learn's make_moons), scaled to the square."""
    upper = rng.random(n) < 0.5
    t = rng.random(n) * np.pi
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x - 0.5, y - 0.25], axis=1) * 1.6
    return (points + 0.05 * rng.standard_normal((n, 2))).astype(np.float32)


def sample_spiral(n: int, rng: np.random.Generator) -> np.ndarray:
    """One arm of an Archimedean spiral, r ∝ angle, with a little noise."""
    t = np.sqrt(rng.random(n)) * 3 * np.pi
    r = 2.6 * t / (3 * np.pi)
    points = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    return (points + 0.04 * rng.standard_normal((n, 2))).astype(np.float32)


def points_sampler(points: np.ndarray, jitter: float = 0.03):
    """Resample the learner's points with a little jitter: an empirical distribution."""
    def sample(n: int, rng: np.random.Generator) -> np.ndarray:
        picks = rng.integers(0, len(points), n)
        return (points[picks] + jitter * rng.standard_normal((n, 2))).astype(np.float32)
    return sample


def get_target(name: str, data: str | None = None) -> Target:
    if name == "ring8":
        centres = ring_centres()
        return Target(name, mixture_sampler(centres, MODE_SIGMA), centres, MODE_SIGMA)
    if name == "grid25":
        centres = grid_centres()
        return Target(name, mixture_sampler(centres, MODE_SIGMA), centres, MODE_SIGMA)
    if name == "moons":
        return Target(name, sample_moons)
    if name == "spiral":
        return Target(name, sample_spiral)
    if name == "custom":
        if data is None:
            raise ValueError("target 'custom' needs your points: upload a CSV of x,y or draw "
                             "some, or choose another target")
        return Target(name, points_sampler(read_points_csv(Path(data).read_bytes())))
    raise ValueError(f"target {name!r} is not one of {', '.join(TARGETS)}")


def read_points_csv(raw: bytes) -> np.ndarray:
    """Parse 'x,y' rows (an optional header line) and scale them into the plotting square.

    Raises ValueError with a message for the learner on anything that is not such a file.
    """
    if len(raw) > MAX_CSV_BYTES:
        raise ValueError(f"the CSV has {len(raw):,} bytes; at most {MAX_CSV_BYTES:,} are accepted")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not text: expected a CSV with two numeric columns x,y") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and not _is_number(lines[0].replace(";", ",").split(",")[0]):
        lines = lines[1:]  # a header such as "x,y"
    try:
        rows = np.loadtxt(io.StringIO("\n".join(lines).replace(";", ",")), delimiter=",",
                          ndmin=2, dtype=np.float64)
    except ValueError as err:
        raise ValueError(f"could not read the CSV as numbers ({err}): expected rows like 0.5,-1.2") from None
    if rows.shape[1] != 2:
        raise ValueError(f"the CSV has {rows.shape[1]} columns; expected exactly 2 (x,y)")
    if len(rows) < MIN_CSV_POINTS:
        raise ValueError(f"the CSV has {len(rows)} points; give at least {MIN_CSV_POINTS}")
    if not np.all(np.isfinite(rows)):
        raise ValueError("the CSV contains NaN or infinite values: remove those rows")
    return normalise_points(rows)


def normalise_points(points: np.ndarray) -> np.ndarray:
    """Centre the points and scale them so the farthest sits at 2.5, inside the square."""
    centred = points - points.mean(axis=0)
    reach = np.abs(centred).max()
    scale = 2.5 / reach if reach > 0 else 1.0
    return (centred * scale).astype(np.float32)


def points_to_csv(points: np.ndarray) -> bytes:
    lines = ["x,y"] + [f"{x:.5f},{y:.5f}" for x, y in np.asarray(points, float)]
    return ("\n".join(lines) + "\n").encode()


def fingerprint(name: str, data: str | None) -> str:
    if name != "custom" or data is None:
        return f"toy2d:{name}:v1"
    return "toy2d:custom:" + hashlib.sha256(Path(data).read_bytes()).hexdigest()[:16]


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False

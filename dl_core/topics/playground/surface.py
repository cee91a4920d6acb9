"""The playground's decision surface: the grid it is evaluated on, its picture, and a test of
linearity. Pure numpy (and PIL for resizing): nothing here imports Keras or Streamlit.

Grid convention, for every (G, G, …) array of this topic: entry [i, j] is the point
(x₁, x₂) = (grid_x1[j], grid_x2[i]) — rows follow x₂ upwards from the bottom, columns follow x₁,
as `np.meshgrid(grid_x1, grid_x2)` lays them out. Pictures flip the rows so x₂ points up.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

GRID = 61  # odd, so (0, 0) lies on the grid
EXTENT = 1.25  # the grid spans [-EXTENT, EXTENT]²: the data's [-1, 1]² plus noise
IMAGE_SIZE = 200
# Class colours (Playground's orange and blue first), saturated for points, pale for the surface.
COLOURS = np.array([[245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189],
                    [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34],
                    [23, 190, 207]], np.float64)
WHITE = np.array([255.0, 255.0, 255.0])
DOT_RADIUS = 3.2


def grid_axes(size: int = GRID, extent: float = EXTENT) -> tuple[np.ndarray, np.ndarray]:
    axis = np.linspace(-extent, extent, size).astype(np.float32)
    return axis, axis.copy()


def grid_points(grid_x1: np.ndarray, grid_x2: np.ndarray) -> np.ndarray:
    """(G·G, 2) points in the grid convention's row-major order: reshape a per-point result to
    (len(grid_x2), len(grid_x1)) to get [i, j] = (grid_x1[j], grid_x2[i])."""
    x1, x2 = np.meshgrid(grid_x1, grid_x2)
    return np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32)


def surface_colours(probs: np.ndarray) -> np.ndarray:
    """(G, G, k) probabilities -> (G, G, 3) float RGB: the probability-weighted class colour,
    paler the less sure the model is (confidence = (max p − 1/k) / (1 − 1/k))."""
    k = probs.shape[-1]
    mix = probs @ COLOURS[:k]
    confidence = (probs.max(axis=-1, keepdims=True) - 1 / k) / (1 - 1 / k)
    strength = 0.2 + 0.55 * np.clip(confidence, 0, 1)
    return WHITE + (mix - WHITE) * strength


class PointLayer:
    """The data points drawn once per picture size, composited onto every epoch's surface:
    training points as filled dots with a dark rim, test points as rings around white."""

    def __init__(self, x_train, y_train, x_test, y_test, extent: float = EXTENT,
                 size: int = IMAGE_SIZE):
        self.size = size
        self.rgb = np.zeros((size, size, 3))
        self.alpha = np.zeros((size, size, 1))
        self._draw(x_test, y_test, extent, filled=False)
        self._draw(x_train, y_train, extent, filled=True)

    def _draw(self, points, labels, extent, filled: bool):
        if len(points) == 0:
            return
        size = self.size
        col = (np.asarray(points[:, 0]) + extent) / (2 * extent) * (size - 1)
        row = (extent - np.asarray(points[:, 1])) / (2 * extent) * (size - 1)
        reach = int(np.ceil(DOT_RADIUS)) + 1
        offsets = np.arange(-reach, reach + 1)
        dr, dc = np.meshgrid(offsets, offsets, indexing="ij")
        rows = np.round(row)[:, None, None].astype(int) + dr
        cols = np.round(col)[:, None, None].astype(int) + dc
        distance = np.hypot(rows - row[:, None, None], cols - col[:, None, None])
        inside = (distance <= DOT_RADIUS) & (rows >= 0) & (rows < size) & (cols >= 0) & (cols < size)
        rim = inside & (distance > DOT_RADIUS - 1.2)
        colour = np.broadcast_to(COLOURS[np.asarray(labels) % len(COLOURS)][:, None, None, :],
                                 (*inside.shape, 3))
        if filled:
            paint = np.where(rim[..., None], colour * 0.45, colour)
        else:
            paint = np.where(rim[..., None], colour, WHITE)
        self.rgb[rows[inside], cols[inside]] = paint[inside]
        self.alpha[rows[inside], cols[inside]] = 1.0

    def over(self, background: np.ndarray) -> np.ndarray:
        return background * (1 - self.alpha) + self.rgb * self.alpha


def render(probs: np.ndarray, points: PointLayer) -> np.ndarray:
    """(G, G, k) probabilities -> (size, size, 3) uint8 picture, x₂ up, with the points on top."""
    colours = np.clip(surface_colours(probs[::-1]), 0, 255).astype(np.uint8)
    background = np.asarray(Image.fromarray(colours).resize((points.size, points.size),
                                                            Image.BILINEAR), np.float64)
    return np.clip(points.over(background), 0, 255).astype(np.uint8)


def affine_residual(logit_grid: np.ndarray, grid_x1: np.ndarray, grid_x2: np.ndarray,
                    relative: bool = False) -> float:
    """How far the decision function is from affine in (x₁, x₂).

    For each class c ≥ 1 the logit difference d_c = z_c − z_0 over the grid is fitted by least
    squares with a + b·x₁ + c·x₂; the answer is max |d_c − fit| over the grid and the classes
    (divided by max |d_c| when `relative`). A network of linear units on features x₁, x₂ is an
    affine map, so its boundary d = 0 is a straight line and the residual is rounding error."""
    logits = np.asarray(logit_grid, np.float64)
    points = grid_points(grid_x1, grid_x2).astype(np.float64)
    design = np.column_stack([np.ones(len(points)), points])
    differences = logits.reshape(len(points), -1)
    differences = differences[:, 1:] - differences[:, :1]
    coefficients, *_ = np.linalg.lstsq(design, differences, rcond=None)
    residual = float(np.abs(differences - design @ coefficients).max())
    if relative:
        residual /= max(float(np.abs(differences).max()), 1e-12)
    return residual

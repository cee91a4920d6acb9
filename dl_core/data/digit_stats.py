"""Numbers that say how MNIST-like a set of 28×28 digit images is, for tests and benchmarks.

Each is a mean over the images: intensity (MNIST's is about 0.13), ink fraction (pixels above
half brightness), the centre of mass and its spread (MNIST centres every digit by mass on pixel
(14, 14), to the nearest pixel, so its spread is about 0.29 px), and the ink's bounding box
(MNIST's longer side is 20 pixels, its normalisation box).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DigitStatistics:
    mean_intensity: float
    ink_fraction: float
    centre_row: float
    centre_col: float
    centre_spread: float  # standard deviation of the centre of mass, rows and columns pooled
    box_height: float
    box_width: float

    def row(self) -> list[float]:
        return [self.mean_intensity, self.ink_fraction, self.centre_row, self.centre_col,
                self.centre_spread, self.box_height, self.box_width]


FIELDS = ("mean intensity", "ink fraction", "centre row", "centre col", "centre spread px",
          "box height px", "box width px")


def describe(images: np.ndarray) -> DigitStatistics:
    """The statistics of N×28×28 images (uint8 0-255, or floats in [0, 1])."""
    unit = images.astype(np.float64) / (255.0 if images.dtype == np.uint8 else 1.0)
    mass = unit.sum((1, 2))
    mass[mass == 0] = 1.0  # an empty image counts as centred on pixel 0, not as a crash
    rows = unit.sum(2) @ np.arange(unit.shape[1]) / mass
    cols = unit.sum(1) @ np.arange(unit.shape[2]) / mass
    inked = unit > 0
    heights = _extent(inked.any(2))
    widths = _extent(inked.any(1))
    return DigitStatistics(
        mean_intensity=float(unit.mean()), ink_fraction=float((unit > 0.5).mean()),
        centre_row=float(rows.mean()), centre_col=float(cols.mean()),
        centre_spread=float(np.sqrt((rows.var() + cols.var()) / 2)),
        box_height=float(heights.mean()), box_width=float(widths.mean()))


def _extent(occupied: np.ndarray) -> np.ndarray:
    """Per image, the distance from the first to the last occupied line, inclusive."""
    first = occupied.argmax(1)
    last = occupied.shape[1] - 1 - occupied[:, ::-1].argmax(1)
    return np.where(occupied.any(1), last - first + 1, 0)

"""A tiny line-chart rasteriser: per-epoch preview images without a plotting library.

The engine stores one uint8 image per epoch; for a forecaster that image is the validation
series with the model's one-step forecast drawn over it.
"""

from __future__ import annotations

import numpy as np

BACKGROUND = (255, 255, 255)


def line_image(series: list[np.ndarray], colours: list[tuple[int, int, int]],
               height: int = 160, width: int = 480) -> np.ndarray:
    """Draw equally long series as polylines on one shared y-scale: an H×W×3 uint8 image."""
    image = np.full((height, width, 3), BACKGROUND, np.uint8)
    stacked = np.asarray([np.asarray(s, np.float64) for s in series])
    finite = stacked[np.isfinite(stacked)]
    if finite.size == 0 or stacked.shape[1] < 2:
        return image
    low, high = float(finite.min()), float(finite.max())
    span = high - low or 1.0
    xs = np.linspace(0, width - 1, stacked.shape[1])
    for values, colour in zip(stacked, colours):
        ys = (height - 1) - (np.clip(values, low, high) - low) / span * (height - 1)
        _polyline(image, xs, ys, colour)
    return image


def _polyline(image: np.ndarray, xs: np.ndarray, ys: np.ndarray, colour) -> None:
    for x0, y0, x1, y1 in zip(xs[:-1], ys[:-1], xs[1:], ys[1:]):
        if not (np.isfinite(y0) and np.isfinite(y1)):
            continue
        steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        cols = np.round(np.linspace(x0, x1, steps)).astype(int)
        rows = np.round(np.linspace(y0, y1, steps)).astype(int)
        image[rows, cols] = colour
        image[np.minimum(rows + 1, image.shape[0] - 1), cols] = colour  # 2 px: readable when small

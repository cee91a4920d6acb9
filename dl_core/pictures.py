"""Turning model outputs into pictures: [0, 1] floats to uint8, and rows of images into one grid.

Shared by every topic that renders per-epoch previews (autoencoder, VAE, DCGAN, segmentation) and
by the upload conversion, so that all of them round and clip the same way.
"""

from __future__ import annotations

import numpy as np


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Float images in [0, 1] (any shape) -> uint8, clipped and rounded."""
    return (np.clip(np.asarray(images, np.float32), 0.0, 1.0) * 255).round().astype(np.uint8)


def image_grid(rows: list[np.ndarray], gap: int = 2) -> np.ndarray:
    """Stack rows of equally sized images (each row N×H×W) into one uint8 picture with gaps."""
    count, height, width = rows[0].shape[:3]
    grid = np.full((len(rows) * (height + gap) - gap, count * (width + gap) - gap), 255, np.uint8)
    for r, row in enumerate(rows):
        for c in range(count):
            top, left = r * (height + gap), c * (width + gap)
            grid[top:top + height, left:left + width] = to_uint8(row[c].reshape(height, width))
    return grid

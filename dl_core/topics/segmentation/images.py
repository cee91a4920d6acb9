"""Pictures of masks: colours, overlays, the per-epoch preview grid and a downloadable PNG."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from dl_core.pictures import to_uint8

# pet/object, background, border: warm object, dark background, bright border band.
PALETTE = np.array([[240, 140, 40], [40, 60, 110], [250, 230, 90]], dtype=np.uint8)
GAP = 2


def colorize(mask: np.ndarray) -> np.ndarray:
    """H×W class indices -> H×W×3 uint8 colours."""
    mask = np.asarray(mask)
    if mask.size and mask.max() >= len(PALETTE):
        raise ValueError(f"mask has class {int(mask.max())}; expected 0..{len(PALETTE) - 1}")
    return PALETTE[mask]


def overlay(image: np.ndarray, mask: np.ndarray, opacity: float = 0.5,
            classes: tuple[int, ...] = (0, 2)) -> np.ndarray:
    """Blend the colours of `classes` over an RGB uint8 image; other pixels are left as they are."""
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity={opacity} must be between 0 and 1")
    image = np.asarray(image, np.float32)
    colours = colorize(mask).astype(np.float32)
    chosen = np.isin(mask, classes)[..., None]
    blended = np.where(chosen, (1 - opacity) * image + opacity * colours, image)
    return np.clip(blended, 0, 255).round().astype(np.uint8)


def preview_grid(images: np.ndarray, truths: np.ndarray, preds: np.ndarray) -> np.ndarray:
    """Rows: input / ground truth / prediction; one column per validation image; white gaps."""
    count, height, width = truths.shape
    rows = [to_uint8(images), colorize(truths), colorize(preds)]
    grid = np.full((3 * height + 2 * GAP, count * width + (count - 1) * GAP, 3), 255, np.uint8)
    for r, row in enumerate(rows):
        for c in range(count):
            top, left = r * (height + GAP), c * (width + GAP)
            grid[top:top + height, left:left + width] = row[c]
    return grid


def mask_png(mask: np.ndarray) -> bytes:
    """The coloured mask as PNG bytes (lossless: every pixel keeps its class colour)."""
    buffer = io.BytesIO()
    Image.fromarray(colorize(mask)).save(buffer, format="PNG")
    return buffer.getvalue()


def resize_mask(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    """Nearest-neighbour resize: a mask must keep exact class values, never blend them."""
    return np.asarray(Image.fromarray(np.asarray(mask, np.uint8)).resize((width, height), Image.NEAREST))

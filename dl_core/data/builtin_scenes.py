"""Built-in offline scenes for segmentation: textured objects on a textured, cluttered background.

Every image is drawn from its own seed (base seed + index), so the set is identical on every
machine and a larger set starts with the same images as a smaller one. The masks mirror the
Oxford-IIIT Pet trimaps: 0 = object, 1 = background, 2 = a border band straddling the outline.

What makes it a segmentation task rather than a colour threshold: the objects are rounded
shapes with a spotted texture; the clutter is straight-edged stripes and boxes of similar
colours, so the network must use shape and texture, not one colour.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw

VERSION = 1
BASE_SEED = 1234


def border_band(mask: np.ndarray, width: int) -> np.ndarray:
    """Pixels within `width` of the object's outline, inside or outside (like a trimap's border)."""
    grown, shrunk = mask.copy(), mask.copy()
    for _ in range(width):
        grown = _shift_any(grown)
        shrunk = ~_shift_any(~shrunk)
    return grown & ~shrunk


def _shift_any(mask: np.ndarray) -> np.ndarray:
    """One step of a 3×3 binary dilation, with numpy shifts (no scipy)."""
    padded = np.pad(mask, 1)
    out = np.zeros_like(mask)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            out |= padded[dy:dy + mask.shape[0], dx:dx + mask.shape[1]]
    return out


def _texture(rng: np.random.Generator, size: int, base: np.ndarray, contrast: float) -> np.ndarray:
    """A colour field with smooth waves and pixel noise around `base` (RGB in 0..255)."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    angle, freq = rng.uniform(0, np.pi), rng.uniform(2, 6)
    waves = np.sin(2 * np.pi * freq * (np.cos(angle) * xx + np.sin(angle) * yy))
    noise = rng.normal(0, 1, (size, size))
    field = base[None, None, :] + contrast * (20 * waves + 12 * noise)[..., None]
    return np.clip(field, 0, 255)


def _draw_clutter(draw: ImageDraw.ImageDraw, rng: np.random.Generator, size: int) -> None:
    for _ in range(rng.integers(3, 7)):
        colour = tuple(int(c) for c in rng.integers(30, 230, 3))
        x0, y0 = rng.integers(0, size, 2)
        if rng.random() < 0.5:  # a stripe
            x1, y1 = rng.integers(0, size, 2)
            width = int(rng.integers(1, max(2, size // 16)))
            draw.line([(int(x0), int(y0)), (int(x1), int(y1))], fill=colour, width=width)
        else:  # a box
            w, h = rng.integers(size // 10, size // 3, 2)
            draw.rectangle([int(x0), int(y0), int(x0 + w), int(y0 + h)], fill=colour)


def _object_mask(rng: np.random.Generator, size: int) -> np.ndarray:
    """One or two rounded blobs: an ellipse, sometimes with a smaller 'head' ellipse touching it."""
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    for _ in range(rng.integers(1, 3)):
        cx, cy = rng.uniform(0.25, 0.75, 2) * size
        rx, ry = rng.uniform(0.12, 0.28, 2) * size
        draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=255)
        if rng.random() < 0.6:  # a head on the body, like a pet's silhouette
            angle = rng.uniform(0, 2 * np.pi)
            hx, hy = cx + rx * np.cos(angle), cy + ry * np.sin(angle)
            hr = rng.uniform(0.3, 0.55) * min(rx, ry)
            draw.ellipse([hx - hr, hy - hr, hx + hr, hy + hr], fill=255)
    return np.asarray(canvas) > 0


def scene(seed: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """One (image uint8 S×S×3, mask uint8 S×S) pair from its own seed."""
    rng = np.random.default_rng(seed)
    background = _texture(rng, size, rng.uniform(60, 200, 3), contrast=1.0)
    clutter = Image.fromarray(background.astype(np.uint8))
    _draw_clutter(ImageDraw.Draw(clutter), rng, size)
    image = np.asarray(clutter, dtype=np.float32)

    inside = _object_mask(rng, size)
    fur = _texture(rng, size, rng.uniform(60, 220, 3), contrast=0.8)
    spots = rng.random((size // 4 + 1, size // 4 + 1)) < 0.3  # coarse spots: the object's texture
    spots = np.kron(spots, np.ones((4, 4), bool))[:size, :size]
    fur = np.where(spots[..., None], fur * 0.55, fur)
    image = np.where(inside[..., None], fur, image)

    mask = np.where(inside, 0, 1).astype(np.uint8)
    mask[border_band(inside, max(1, size // 48))] = 2
    return np.clip(image, 0, 255).astype(np.uint8), mask


@functools.lru_cache(maxsize=4)
def generate(count: int, size: int, seed: int = BASE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """`count` scenes (images N×S×S×3 uint8, masks N×S×S uint8), deterministic for a seed."""
    if count < 1 or size < 16:
        raise ValueError(f"count={count}, size={size}: need at least 1 scene of at least 16 pixels")
    pairs = [scene(seed + index, size) for index in range(count)]
    images = np.stack([p[0] for p in pairs])
    masks = np.stack([p[1] for p in pairs])
    images.setflags(write=False)
    masks.setflags(write=False)
    return images, masks

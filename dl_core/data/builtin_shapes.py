"""DL Lab's own offline images for transfer learning: procedurally drawn shapes and textures.

Two tasks that share low-level structure (edges, corners, curves, stripes) but no classes:
- the **source** task, large: SOURCE_SHAPES × TEXTURES classes (8 × 3 = 24), many images each;
  a small CNN is pretrained on it once and cached;
- the **target** task, small: TARGET_SHAPES (4 shapes that never appear in the source), only a
  handful of training images each, so that a pretrained start has something to give.

Every image has a random colour pair, position, size, rotation and background noise. Generation
is deterministic in its seed and memoised per process.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from PIL import Image, ImageDraw

VERSION = 1
SOURCE_SHAPES = ("circle", "square", "triangle", "cross", "star", "ring", "bar", "diamond")
TEXTURES = ("solid", "stripes", "dots")
TARGET_SHAPES = ("hexagon", "crescent", "arrow", "heart")
TARGET_TRAIN_PER_CLASS, TARGET_VAL_PER_CLASS = 12, 40
SOURCE_SEED, TARGET_TRAIN_SEED, TARGET_VAL_SEED = 2024, 7, 8


def source_labels() -> tuple[str, ...]:
    return tuple(f"{shape} {texture}" for shape in SOURCE_SHAPES for texture in TEXTURES)


def _polygon(kind: str, r: float) -> list[tuple[float, float]]:
    """Outline points around (0, 0) with radius r, for the shapes drawn as polygons."""
    def ring(count, radius, start=-math.pi / 2):
        return [(radius * math.cos(start + 2 * math.pi * i / count),
                 radius * math.sin(start + 2 * math.pi * i / count)) for i in range(count)]

    if kind == "square":
        return ring(4, r * 1.2, math.pi / 4)
    if kind == "diamond":
        return [(0, -r), (0.6 * r, 0), (0, r), (-0.6 * r, 0)]
    if kind == "triangle":
        return ring(3, r * 1.1)
    if kind == "hexagon":
        return ring(6, r)
    if kind == "star":
        outer, inner = ring(5, r), ring(5, r * 0.4, -math.pi / 2 + math.pi / 5)
        return [p for pair in zip(outer, inner) for p in pair]
    if kind == "cross":
        a, b = r, r * 0.33
        return [(-b, -a), (b, -a), (b, -b), (a, -b), (a, b), (b, b), (b, a), (-b, a), (-b, b),
                (-a, b), (-a, -b), (-b, -b)]
    if kind == "bar":
        return [(-r, -0.3 * r), (r, -0.3 * r), (r, 0.3 * r), (-r, 0.3 * r)]
    if kind == "arrow":
        return [(-r, -0.25 * r), (0.2 * r, -0.25 * r), (0.2 * r, -0.7 * r), (r, 0), (0.2 * r, 0.7 * r),
                (0.2 * r, 0.25 * r), (-r, 0.25 * r)]
    if kind == "heart":
        points = []
        for i in range(40):
            t = 2 * math.pi * i / 40
            x = 16 * math.sin(t) ** 3
            y = -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t))
            points.append((x * r / 17, y * r / 17))
        return points
    raise ValueError(f"unknown polygon shape {kind!r}")


def _rotate(points, angle: float, cx: float, cy: float):
    c, s = math.cos(angle), math.sin(angle)
    return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in points]


def _mask(kind: str, size: int, rng: np.random.Generator) -> Image.Image:
    """A white-on-black mask of one shape at a random place, size and angle."""
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    r = size * rng.uniform(0.26, 0.38)
    cx, cy = rng.uniform(r, size - r, size=2)
    angle = rng.uniform(0, 2 * math.pi)
    if kind in ("circle", "ring"):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
        if kind == "ring":
            inner = r * 0.55
            draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), fill=0)
    elif kind == "crescent":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
        dx, dy = 0.55 * r * math.cos(angle), 0.55 * r * math.sin(angle)
        draw.ellipse((cx + dx - r, cy + dy - r, cx + dx + r, cy + dy + r), fill=0)
    else:
        draw.polygon(_rotate(_polygon(kind, r), angle, cx, cy), fill=255)
    return mask


def _texture(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """1 where the foreground colour shows inside the shape, 0 elsewhere."""
    if kind == "solid":
        return np.ones((size, size), np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    angle = rng.uniform(0, math.pi)
    period = size * rng.uniform(0.08, 0.14)
    if kind == "stripes":
        phase = (xx * math.cos(angle) + yy * math.sin(angle)) / period
        return (np.sin(2 * math.pi * phase) > 0).astype(np.float32)
    u = np.mod(xx, period) - period / 2
    v = np.mod(yy, period) - period / 2
    return ((u * u + v * v) < (period * 0.3) ** 2).astype(np.float32)


def render(shape: str, texture: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """One size×size×3 uint8 image: shape with texture, on a noisy background."""
    fg, bg = rng.uniform(0, 255, size=(2, 3))
    while np.abs(fg - bg).sum() < 220:  # keep the shape visible
        fg, bg = rng.uniform(0, 255, size=(2, 3))
    mask = np.asarray(_mask(shape, size, rng), np.float32)[..., None] / 255.0
    pattern = _texture(texture, size, rng)[..., None]
    inside = pattern * fg + (1 - pattern) * (0.5 * fg + 0.5 * bg)
    image = mask * inside + (1 - mask) * bg
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


@functools.lru_cache(maxsize=2)
def source_task(per_class: int, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) for the 24-class source task; labels index `source_labels()`."""
    rng = np.random.default_rng(SOURCE_SEED)
    labels = np.arange(len(SOURCE_SHAPES) * len(TEXTURES)).repeat(per_class)
    rng.shuffle(labels)
    images = np.stack([render(SOURCE_SHAPES[c // len(TEXTURES)], TEXTURES[c % len(TEXTURES)], size, rng)
                       for c in labels])
    return images, labels.astype(np.int64)


def _target_split(per_class: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(len(TARGET_SHAPES)).repeat(per_class)
    rng.shuffle(labels)
    images = np.stack([render(TARGET_SHAPES[c], TEXTURES[int(rng.integers(len(TEXTURES)))], size, rng)
                       for c in labels])
    return images, labels.astype(np.int64)


@functools.lru_cache(maxsize=4)
def target_task(size: int, train_per_class: int = TARGET_TRAIN_PER_CLASS,
                val_per_class: int = TARGET_VAL_PER_CLASS) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_val, y_val) for the small 4-class target task at `size` pixels."""
    x_train, y_train = _target_split(train_per_class, size, TARGET_TRAIN_SEED)
    x_val, y_val = _target_split(val_per_class, size, TARGET_VAL_SEED)
    return x_train, y_train, x_val, y_val

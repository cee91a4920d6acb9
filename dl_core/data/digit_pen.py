"""The hand that writes a built-in digit: its slant, its elastic wobble and its round pen.

`hand_transform` is shared with the font digits; `draw` turns a pen skeleton (digit_strokes)
into ink, at SUPERSAMPLE× the final resolution so that reducing it gives anti-aliased edges.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 4
PEN_PIXELS = (1.75, 3.1)  # pen width in final pixels, drawn per digit; MNIST's strokes are ~2-3 px
HEAVY_PEN_PIXELS, HEAVY_PEN_SHARE = (3.1, 4.5), 0.15  # and some of its writers press hard
SHEAR = (0.1, 0.25)  # mean and spread of the slant: handwriting leans right
ROTATION_DEGREES = 10.0
ASPECT_SPREAD = 0.2  # log-normal spread of width/height: narrow and wide hands
ELASTIC = 0.085  # amplitude of the elastic wobble, in units of the digit's height
ELASTIC_FREQUENCY = (2.0, 6.0)  # of its waves, in radians per digit height: long, smooth bends
CORNER_DEGREES = 20


def _normal(rng: np.random.Generator, mean: float, spread: float, size=None) -> np.ndarray:
    """Normal draws cut at two spreads: hands vary, but not into shapes no one writes."""
    return mean + np.clip(rng.normal(0.0, 1.0, size), -2.0, 2.0) * spread


def hand_transform(rng: np.random.Generator) -> np.ndarray:
    """A random 2×2 linear map: slant (shear), a small rotation and an aspect change."""
    shear = _normal(rng, *SHEAR)
    angle = np.radians(_normal(rng, 0.0, ROTATION_DEGREES))
    aspect = np.exp(_normal(rng, 0.0, ASPECT_SPREAD))
    cos, sin = np.cos(angle), np.sin(angle)
    return np.array([[cos * aspect, -cos * shear - sin], [sin * aspect, cos - sin * shear]])


def elastic(points: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """Displace points by a smooth random field, a sum of three long sine waves in random
    directions: an elastic distortion evaluated only where the pen went, which makes it cheap."""
    angles = rng.uniform(0, np.pi, 3)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    directions *= rng.uniform(*ELASTIC_FREQUENCY, (3, 1))
    phases = rng.uniform(0, 2 * np.pi, 3)
    amplitudes = _normal(rng, 0.0, strength, (3, 2))
    return points + np.sin(points @ directions.T + phases) @ amplitudes


def _corners(points: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Indices of every stroke's ends and of every point where the path turns sharply (Pillow
    joins thick segments with a notch there; the gentle turns of an arc need nothing)."""
    steps = np.diff(points, axis=0)
    headings = np.arctan2(steps[:, 1], steps[:, 0])
    turns = np.abs((np.diff(headings) + np.pi) % (2 * np.pi) - np.pi)
    sharp = np.flatnonzero(turns > np.radians(CORNER_DEGREES)) + 1
    return np.concatenate([starts, starts[1:] - 1, [len(points) - 1], sharp])


def draw(strokes: list[np.ndarray], rng: np.random.Generator, box: int) -> Image.Image:
    """The skeleton written by a random hand with a round pen, at SUPERSAMPLE×, scaled so that
    the ink's longer side is `box` final pixels."""
    pen = rng.uniform(*(HEAVY_PEN_PIXELS if rng.random() < HEAVY_PEN_SHARE else PEN_PIXELS))
    pen *= SUPERSAMPLE
    starts = np.cumsum([0] + [len(stroke) for stroke in strokes[:-1]])
    points = elastic(np.concatenate(strokes), rng, ELASTIC) @ hand_transform(rng).T
    low = points.min(0)
    span = points.max(0) - low
    scale = (box * SUPERSAMPLE - pen) / max(span.max(), 1e-6)
    pixels = (points - low) * scale + pen / 2
    width, height = (np.ceil(span * scale + pen) + 1).astype(int)
    canvas = Image.new("L", (int(width), int(height)), 0)
    pencil = ImageDraw.Draw(canvas)
    widths = pen * rng.uniform(0.85, 1.15, len(strokes))  # pressure changes between strokes
    for stroke, stroke_width in zip(np.split(pixels, starts[1:]), widths):
        pencil.line(stroke.ravel().tolist(), fill=255, width=int(round(stroke_width)))
    radius = widths.max() / 2
    for x, y in pixels[_corners(pixels, starts)].tolist():  # round tips, no notch at corners
        pencil.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return canvas

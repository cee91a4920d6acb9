"""DL Lab's own offline digits: MNIST-like 28×28 images drawn with Pillow's built-in font.

Each image is one digit glyph with a random size, stroke width, rotation, aspect and shift,
blurred a little and noised, white on black like MNIST. Generation is deterministic in its seed
(the same call returns the same arrays on every machine with the same Pillow), fast enough to
run on demand (about 0.1 ms an image), and memoised per process.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

VERSION = 1
SIZE = 28
CANVAS = 56  # drawn at twice the size, then reduced: smoother strokes
TRAIN_SEED, VAL_SEED = 1234, 5678


@functools.lru_cache(maxsize=None)
def _glyph(digit: int, font_size: int, stroke: int) -> Image.Image:
    """A tightly cropped white-on-black glyph (cached: only ~10×8×3 distinct ones exist)."""
    font = ImageFont.load_default(size=font_size)
    canvas = Image.new("L", (CANVAS * 2, CANVAS * 2), 0)
    draw = ImageDraw.Draw(canvas)
    draw.text((CANVAS // 2, CANVAS // 2), str(digit), fill=255, font=font,
              stroke_width=stroke, stroke_fill=255)
    return canvas.crop(canvas.getbbox())


def _render(digit: int, rng: np.random.Generator) -> np.ndarray:
    glyph = _glyph(digit, int(rng.integers(30, 44)), int(rng.integers(0, 4)))
    # Vary the aspect ratio (narrow/wide handwriting) and slant by rotation.
    width = max(1, int(glyph.width * rng.uniform(0.75, 1.25)))
    glyph = glyph.resize((width, glyph.height), Image.BILINEAR)
    glyph = glyph.rotate(float(rng.uniform(-18, 18)), resample=Image.BILINEAR, expand=True)
    # Like MNIST: fit the digit into a 40×40 box of the 56×56 canvas, centred, then shift.
    scale = 40 / max(glyph.size) * rng.uniform(0.8, 1.0)
    glyph = glyph.resize((max(1, int(glyph.width * scale)), max(1, int(glyph.height * scale))),
                         Image.BILINEAR)
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    dx, dy = rng.integers(-4, 5, size=2)
    canvas.paste(glyph, ((CANVAS - glyph.width) // 2 + int(dx), (CANVAS - glyph.height) // 2 + int(dy)))
    canvas = canvas.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.0))))
    small = np.asarray(canvas.resize((SIZE, SIZE), Image.LANCZOS), dtype=np.float32) / 255.0
    small = small + rng.normal(0.0, 0.03, small.shape)
    return (np.clip(small, 0.0, 1.0) * 255).astype(np.uint8)


def _batch(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10  # balanced classes
    rng.shuffle(labels)
    images = np.stack([_render(int(d), rng) for d in labels]) if count else np.zeros((0, SIZE, SIZE), np.uint8)
    return images, labels.astype(np.int64)


@functools.lru_cache(maxsize=4)
def generate(train_size: int, val_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_val, y_val) as uint8 images and int labels.

    The validation set does not depend on `train_size`, so runs of different sizes are compared
    on the same images.
    """
    x_train, y_train = _batch(train_size, TRAIN_SEED)
    x_val, y_val = _batch(val_size, VAL_SEED)
    for array in (x_train, y_train, x_val, y_val):
        array.setflags(write=False)  # shared by the memo: nobody may change them
    return x_train, y_train, x_val, y_val

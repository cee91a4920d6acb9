"""DL Lab's own offline digits: 28×28 images made the way MNIST made its own.

MNIST's recipe: a digit written with a pen, size-normalised to fit a 20×20 box with its aspect
ratio kept, anti-aliased, then placed in a 28×28 field so that its centre of mass is at the
centre. Here the writing is a pen skeleton of a handwritten digit (digit_strokes), in one of a
few styles per digit with random proportions, written by a random hand (digit_pen): its own
slant, rotation, aspect, smooth elastic distortion and round pen of random width. The digits of
the fonts found offline (digit_fonts) make up a share of them (FONT_SHARE): slanted, distorted
and normalised the same way, their strokes widened to a random pen's width. Generation is
deterministic in its seed (on one installation the same call returns the same arrays), fast
enough to run on demand (about 0.5 ms an image), and memoised per process in blocks.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
from PIL import Image

from dl_core import settings
from dl_core.data import digit_fonts, digit_pen
from dl_core.data.array_store import load_or_compute
from dl_core.data.digit_strokes import skeleton

VERSION = 3  # 3: the training set is made of seeded blocks of CHUNK images
SIZE = 28
BOX = 20  # MNIST's size-normalisation box
# The share of digits drawn from fonts instead of pen skeletons: variety that costs nothing in
# cross-accuracy on real MNIST at this share (bench/bench_builtin_digits.py --font-share 0 or
# 0.15 shows it); font digits are typographic, so more of them would.
FONT_SHARE = 0.15
TRAIN_SEED, VAL_SEED = 1234, 5678
CHUNK = 1000  # training images per seeded block (balanced: 100 of each digit)
CHUNKS_KEPT = 64  # blocks memoised per process: 64 000 images, 50 MB


def fingerprint() -> str:
    """What the generated arrays depend on: this code's VERSION and the fonts found offline
    (a machine without some of them draws other digits in their place)."""
    names = ",".join(Path(font).name for font in digit_fonts.available())
    return f"builtin-digits-v{VERSION}-fonts-{hashlib.sha256(names.encode()).hexdigest()[:8]}"


def _fit_box(image: Image.Image) -> np.ndarray:
    """Crop to the ink and resize so the longer side is BOX pixels (aspect kept, anti-aliased)."""
    box = image.getbbox()
    if box is not None:
        image = image.crop(box)
    scale = BOX / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return np.asarray(image.resize(size, Image.BOX), dtype=np.float32)


def _centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Place the digit in SIZE×SIZE with its centre of mass on pixel (14, 14), as MNIST does
    (a whole-pixel shift: MNIST's centres of mass spread by ±0.5 px around it)."""
    total = digit.sum()
    if total:
        com = (digit.sum(1) @ np.arange(digit.shape[0]) / total,
               digit.sum(0) @ np.arange(digit.shape[1]) / total)
    else:
        com = ((digit.shape[0] - 1) / 2, (digit.shape[1] - 1) / 2)
    top, left = (int(round(SIZE // 2 - c)) for c in com)
    top = min(max(top, 0), SIZE - digit.shape[0])
    left = min(max(left, 0), SIZE - digit.shape[1])
    field = np.zeros((SIZE, SIZE), np.float32)
    field[top:top + digit.shape[0], left:left + digit.shape[1]] = digit
    return field


def render(digit: int, rng: np.random.Generator, fonts: tuple[str, ...] = (),
           font_share: float = 0.0) -> np.ndarray:
    """One SIZE×SIZE uint8 image of `digit`, white on black: from a pen skeleton, or with
    probability `font_share` from one of `fonts`."""
    if font_share and rng.random() < font_share and fonts:  # no fonts: a pen digit instead
        font = fonts[int(rng.integers(len(fonts)))]
        drawn = digit_fonts.draw(font, digit, rng, digit_pen.hand_transform(rng),
                                 rng.uniform(*digit_pen.PEN_PIXELS))
    else:
        drawn = digit_pen.draw(skeleton(digit, rng), rng, BOX)
    field = _centre_by_mass(_fit_box(drawn))
    return np.clip(field, 0, 255).astype(np.uint8)


def _batch(count: int, seed: int, font_share: float = FONT_SHARE) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # Every run of ten holds each digit once, so any prefix of a multiple of ten is balanced.
    labels = np.concatenate([rng.permutation(10) for _ in range(-(-count // 10))] or [[]])[:count]
    fonts = digit_fonts.available() if font_share else ()
    images = np.zeros((count, SIZE, SIZE), np.uint8)
    for index, label in enumerate(labels):
        images[index] = render(int(label), rng, fonts, font_share)
    return images, labels.astype(np.int64)


@functools.lru_cache(maxsize=CHUNKS_KEPT)
def _training_chunk(index: int) -> tuple[np.ndarray, np.ndarray]:
    """The training set's `index`-th block of CHUNK images, from its own seed.

    Kept on disk under the data directory once drawn (0.8 MB a block), so a fresh worker reads
    in milliseconds what took half a second to draw; the folder is named by the fingerprint,
    so a change of code or fonts never reads old blocks."""
    def draw() -> dict[str, np.ndarray]:
        images, labels = _batch(CHUNK, seed=TRAIN_SEED * 1000 + index)
        return {"images": images, "labels": labels}

    path = settings.data_dir() / "builtin-digits" / fingerprint() / f"train-{index:03d}.npz"
    arrays, _ = load_or_compute(path, draw)
    images, labels = arrays["images"], arrays["labels"]
    for array in (images, labels):
        array.setflags(write=False)
    return images, labels


@functools.lru_cache(maxsize=4)
def generate(train_size: int, val_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_val, y_val) as uint8 images and int labels.

    A training set of N images is the first N of every larger one (it is made of fixed blocks),
    so the digit judge, the autoencoder and the GAN in one worker share the images they have in
    common instead of drawing them again. The validation set does not depend on `train_size`,
    so runs of different sizes are compared on the same images.
    """
    blocks = [_training_chunk(index) for index in range(-(-train_size // CHUNK))]
    x_train = np.concatenate([b[0] for b in blocks] or [np.zeros((0, SIZE, SIZE), np.uint8)])
    y_train = np.concatenate([b[1] for b in blocks] or [np.zeros(0, np.int64)])
    x_train, y_train = x_train[:train_size], y_train[:train_size]
    x_val, y_val = _batch(val_size, VAL_SEED)
    for array in (x_train, y_train, x_val, y_val):
        array.setflags(write=False)  # shared by the memo: nobody may change them
    return x_train, y_train, x_val, y_val

"""Files the tests build instead of reading from disk: images, zips and CSVs, as bytes.

One place for them, so every test that needs "a PNG of a digit" or "a zip of class folders"
makes the same one, and a new kind of awkward file is added once.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image, ImageDraw


def encode_image(image: Image.Image, fmt: str = "PNG", **save_args) -> bytes:
    """`image` saved in `fmt` (PNG, JPEG, GIF, ...), as bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


def solid_image(width: int, height: int, colour=(200, 40, 40), fmt: str = "PNG") -> bytes:
    """One flat colour: the simplest valid image of a given size."""
    return encode_image(Image.new("RGB", (width, height), colour), fmt)


def digit_png() -> bytes:
    """A hand-drawn-looking "1": a thick black stroke on white, portrait like a phone photo."""
    image = Image.new("RGB", (120, 160), "white")
    ImageDraw.Draw(image).line([(60, 20), (60, 140)], fill="black", width=14)
    return encode_image(image)


def photo_png() -> bytes:
    """A small landscape "photo": an orange ellipse on a blue background."""
    image = Image.new("RGB", (160, 120), (90, 140, 200))
    ImageDraw.Draw(image).ellipse([40, 30, 120, 100], fill=(230, 120, 40))
    return encode_image(image)


def shape_png(kind: str, seed: int, size: int = 48) -> bytes:
    """A PNG of a circle ("round") or a square ("square") at a random place and colour."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), tuple(int(v) for v in rng.integers(0, 90, 3)))
    x, y = (int(v) for v in rng.integers(4, size // 2, 2))
    box = (x, y, x + size // 2 - 2, y + size // 2 - 2)
    colour = tuple(int(v) for v in rng.integers(160, 255, 3))
    draw = ImageDraw.Draw(image)
    (draw.ellipse if kind == "round" else draw.rectangle)(box, fill=colour)
    return encode_image(image)


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding `entries` (archive name -> content), names written exactly as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """A comma-separated file with a header line."""
    lines = [",".join(header)] + [",".join(str(value) for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()

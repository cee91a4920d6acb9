"""Tiny generated data and settings shared by the transfer-learning tests."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

# Our own pretraining, shrunk to seconds (the real default runs once per machine).
TINY_SOURCE = {"per_class": 10, "epochs": 1}
TINY = {"backbone": "builtin_cnn", "image_size": 96, "epochs": 1, "finetune_epochs": 1,
        "finetune_layers": 4, "batch_size": 16}


def class_image(kind: str, seed: int, size: int = 48) -> bytes:
    """A PNG: a circle ("round") or a square ("square") at a random place and colour."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), tuple(int(v) for v in rng.integers(0, 90, 3)))
    x, y = (int(v) for v in rng.integers(4, size // 2, 2))
    box = (x, y, x + size // 2 - 2, y + size // 2 - 2)
    colour = tuple(int(v) for v in rng.integers(160, 255, 3))
    draw = ImageDraw.Draw(image)
    (draw.ellipse if kind == "round" else draw.rectangle)(box, fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def class_uploads(per_class: int = 5) -> list[tuple[str, list[bytes]]]:
    return [(kind, [class_image(kind, 100 * i + (kind == "round")) for i in range(per_class)])
            for kind in ("round", "square")]


def write_class_folders(root: Path, per_class: int = 5, split: bool = False) -> Path:
    """`root/<class>/*.png`, or `root/train|val/<class>/*.png` when `split`."""
    for kind, images in class_uploads(per_class + (2 if split else 0)):
        for index, data in enumerate(images):
            folder = root / (("val" if index < 2 else "train") if split else "") / kind
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{kind} {index}.png").write_bytes(data)
    return root

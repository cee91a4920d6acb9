"""Tiny generated data and settings shared by the transfer-learning tests."""

from __future__ import annotations

from pathlib import Path

from tiny_settings import TINY_SOURCE  # noqa: F401  (the transfer tests import them from here)
from tiny_settings import TINY_TRANSFER as TINY  # noqa: F401

from make_files import shape_png


def class_uploads(per_class: int = 5) -> list[tuple[str, list[bytes]]]:
    return [(kind, [shape_png(kind, 100 * i + (kind == "round")) for i in range(per_class)])
            for kind in ("round", "square")]


def write_class_folders(root: Path, per_class: int = 5, split: bool = False) -> Path:
    """`root/<class>/*.png`, or `root/train|val/<class>/*.png` when `split`."""
    for kind, images in class_uploads(per_class + (2 if split else 0)):
        for index, data in enumerate(images):
            folder = root / (("val" if index < 2 else "train") if split else "") / kind
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{kind} {index}.png").write_bytes(data)
    return root

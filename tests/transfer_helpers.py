"""Tiny generated data and settings shared by the transfer-learning tests."""

from __future__ import annotations

from pathlib import Path

from make_files import shape_png

# Our own pretraining, shrunk to seconds (the real default runs once per machine).
TINY_SOURCE = {"per_class": 10, "epochs": 1}
TINY = {"backbone": "builtin_cnn", "image_size": 96, "epochs": 1, "finetune_epochs": 1,
        "finetune_layers": 4, "batch_size": 16}


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

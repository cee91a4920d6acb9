"""The target task of the transfer page: ants/bees, the learner's own classes, or built-in shapes.

`find_target` decides (cheaply: hashes are memoised) and `load_target` returns the images.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dl_core import settings
from dl_core.data import builtin_shapes, image_folders
from dl_core.spec import DatasetInfo


@dataclass(frozen=True)
class Target:
    origin: str  # "real" | "upload" | "builtin"
    name: str
    root: Path | None  # the class folder tree (None for built-in shapes)
    fingerprint: str
    note: str = ""


@dataclass
class TargetImages:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    labels: tuple[str, ...]
    info: DatasetInfo
    skipped: list[str]


def uploads_root() -> Path:
    return settings.uploads_dir()


def find_target(dataset: str, data: str | None) -> Target:
    """`data` (a folder or zip of class folders) wins; else ants/bees when present; else shapes."""
    if data:
        folder = image_folders.open_folder(data, uploads_root() / "extracted")
        layout = image_folders.find_layout(folder)
        is_upload = uploads_root().resolve() in Path(folder).resolve().parents
        name = "your classes" if is_upload else f"image folders ({Path(data).name})"
        return Target("upload" if is_upload else "real", f"{name}: {', '.join(layout.labels)}",
                      layout.root, f"folders:{image_folders.fingerprint(layout)}")
    if dataset == "ants_bees":
        root = image_folders.find_hymenoptera()
        if root is not None:
            layout = image_folders.find_layout(root)
            return Target("real", "ants and bees (hymenoptera)", layout.root,
                          f"hymenoptera:{image_folders.fingerprint(layout)}")
        note = ("The ants/bees images were not found (set DL_LAB_HYMENOPTERA to their folder) and "
                "this machine is offline, so the built-in shapes are used: ")
    else:
        note = ""
    note += (f"{len(builtin_shapes.TARGET_SHAPES)} shapes that never appear in the pretraining task, "
             f"only {builtin_shapes.TARGET_TRAIN_PER_CLASS} training images each, so transfer matters.")
    return Target("builtin", "built-in shapes (" + ", ".join(builtin_shapes.TARGET_SHAPES) + ")", None,
                  f"builtin-shapes-v{builtin_shapes.VERSION}", note)


def load_target(target: Target, image_size: int, train_per_class: int) -> TargetImages:
    if target.root is None:
        x_train, y_train, x_val, y_val = builtin_shapes.target_task(image_size)
        keep = _first_per_class(y_train, train_per_class)
        images = image_folders.ImageSet(x_train[keep], y_train[keep], x_val, y_val,
                                        builtin_shapes.TARGET_SHAPES, [])
    else:
        images = image_folders.load_folder_cached(str(target.root), image_size, train_per_class,
                                                  target.fingerprint)
    note = target.note
    if images.skipped:
        note += (" " if note else "") + f"Skipped {len(images.skipped)} file(s) that are not readable images."
    info = DatasetInfo(target.name, target.origin, len(images.y_train), len(images.y_val),
                       target.fingerprint, note)
    return TargetImages(images.x_train, images.y_train, images.x_val, images.y_val,
                        tuple(images.labels), info, list(images.skipped))


def _first_per_class(labels: np.ndarray, count: int) -> np.ndarray:
    keep = np.zeros(len(labels), bool)
    for value in np.unique(labels):
        keep[np.flatnonzero(labels == value)[:count]] = True
    return keep

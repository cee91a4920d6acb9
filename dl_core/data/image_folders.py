"""Image classification data from folders: ants/bees (hymenoptera) or the learner's own classes.

Accepted layouts (a folder, or a zip of one; a single wrapping folder is looked through):
  train/<class>/*, val/<class>/*   (the hymenoptera layout; "validation" or "test" also work)
  <class>/*                        (split here: about a fifth of each class goes to validation)

Every file is tried as an image by its content, not its extension (`.jpeg`, names with spaces
and GIFs all load); files that cannot be decoded are skipped and listed. The dataset fingerprint
hashes class names and file contents only, never file names or where the folder lies, so the
learner's upload never enters the shared cache key by name.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from dl_core import settings
from dl_core.data import download
from dl_core.data.safe_zip import extract_zip
from dl_core.images import ImageError, decode_image_info

MAX_CLASS_NAME = 80  # shown on every chart; also keeps paths short
MIN_CLASSES, MAX_CLASSES = 2, 10
MIN_TRAIN_PER_CLASS, MIN_VAL_PER_CLASS = 2, 1
VAL_FRACTION = 0.2
SPLIT_NAMES = {"train": ("train", "training"), "val": ("val", "validation", "valid", "test")}
IGNORED = ("__MACOSX", ".DS_Store", "Thumbs.db")
HYMENOPTERA_URL = "https://download.pytorch.org/tutorial/hymenoptera_data.zip"


class ImageFolderError(ValueError):
    """The folder cannot be used as a classification dataset; the message says how to fix it."""


@dataclass
class ImageSet:
    x_train: np.ndarray  # uint8 N×S×S×3
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    labels: tuple[str, ...]
    skipped: list[str] = field(default_factory=list)  # "path: why" for files that are not images


@dataclass(frozen=True)
class Layout:
    root: Path
    train: dict[str, tuple[Path, ...]]  # class -> files, in a name-independent order
    val: dict[str, tuple[Path, ...]] | None  # None: split here

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.train)


# -- finding the data -----------------------------------------------------------------------
def open_folder(data: str | Path, unzip_root: Path) -> Path:
    """A folder for `data`: the folder itself, or a zip safely extracted under `unzip_root`."""
    path = Path(data).expanduser()
    if not path.exists():
        raise ImageFolderError(f"{path} does not exist: give a folder of class subfolders or a zip of one")
    if path.is_file():
        return extract_zip(path, unzip_root)
    return path


def find_hymenoptera() -> Path | None:
    """ants/bees on disk (DL_LAB_HYMENOPTERA, or the data folder), or downloaded when online."""
    candidates = [settings.hymenoptera_dir(), settings.data_dir() / "hymenoptera_data"]
    for candidate in filter(None, candidates):
        if Path(candidate).is_dir():
            return Path(candidate)
    if not download.online():
        return None
    return _download_hymenoptera(settings.data_dir())


def _download_hymenoptera(folder: Path) -> Path | None:
    import urllib.request

    target = folder / "hymenoptera_data"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".zip")
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(HYMENOPTERA_URL, timeout=60) as resp:
            shutil.copyfileobj(resp, out)
        extracted = extract_zip(tmp, folder / ".unzipped")
        os.unlink(tmp)
        layout = find_layout(extracted)  # checks it really is the train/val class layout
        os.replace(layout.root, target)
        return target
    except (OSError, ValueError):
        return None  # the caller falls back to the built-in set and says so


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in IGNORED)


def _split_dir(folder: Path, split: str) -> Path | None:
    for child in _entries(folder):
        if child.is_dir() and child.name.lower() in SPLIT_NAMES[split]:
            return child
    return None


def find_layout(folder: str | Path) -> Layout:
    """Read the class folders (see the module docstring) and check the class names."""
    folder = Path(folder)
    subdirs = [p for p in _entries(folder) if p.is_dir()]
    while len(subdirs) == 1 and _split_dir(folder, "train") is None and _has_subfolders(subdirs[0]):
        folder = subdirs[0]  # look through a wrapping folder (loose files beside it: README, sums)
        subdirs = [p for p in _entries(folder) if p.is_dir()]
    train_dir, val_dir = _split_dir(folder, "train"), _split_dir(folder, "val")
    if train_dir is not None and val_dir is not None:
        train, val = _class_files(train_dir), _class_files(val_dir)
        if set(train) != set(val):
            raise ImageFolderError(f"train/ has classes {sorted(train)} but val/ has {sorted(val)}: "
                                   "both need the same class folders")
        return Layout(folder, train, {name: val[name] for name in train})
    return Layout(folder, _class_files(folder), None)


def _has_subfolders(folder: Path) -> bool:
    return any(p.is_dir() for p in _entries(folder))


def _class_files(folder: Path) -> dict[str, tuple[Path, ...]]:
    classes = {p.name: p for p in _entries(folder) if p.is_dir()}
    check_class_names(list(classes))
    files = {name: _files_by_content(path) for name, path in classes.items()}
    empty = [name for name, found in files.items() if not found]
    if empty:
        raise ImageFolderError(f"the class folder {empty[0]!r} holds no files: put its images in "
                               "it, or remove the folder")
    return files


def _files_by_content(folder: Path) -> tuple[Path, ...]:
    """All files below `folder`, ordered by content hash: renaming a file changes nothing."""
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
             and not any(part in IGNORED for part in p.parts)]
    return tuple(sorted(files, key=lambda p: (download.file_sha256(p), p.name)))


def check_class_names(names: list[str]) -> None:
    cleaned = [name.strip() for name in names]
    if len(cleaned) == 1:
        raise ImageFolderError(f"found only one class folder, {cleaned[0]!r}: a classifier needs "
                               f"{MIN_CLASSES} to {MAX_CLASSES} classes, one folder of images each")
    if not cleaned:
        raise ImageFolderError(f"found no class folders: put each class's images in a folder of its "
                               f"own ({MIN_CLASSES} to {MAX_CLASSES} folders)")
    if len(cleaned) < MIN_CLASSES or len(cleaned) > MAX_CLASSES:
        raise ImageFolderError(f"found {len(cleaned)} class(es) {cleaned}: a classifier needs "
                               f"{MIN_CLASSES} to {MAX_CLASSES} classes, one folder each")
    for name in cleaned:
        if len(name) > MAX_CLASS_NAME:
            raise ImageFolderError(f"the class name {name[:40]!r}… is longer than {MAX_CLASS_NAME} "
                                   "characters: use a short name")
        if not name or name.startswith(".") or any(c in name for c in "/\\\x00<>"):
            raise ImageFolderError(f"class name {name!r} is not usable: use letters, digits, spaces "
                                   "or dashes, without slashes or angle brackets, not starting with a dot")
    folded = [name.casefold() for name in cleaned]
    duplicates = sorted({n for n in cleaned if folded.count(n.casefold()) > 1})
    if duplicates:
        raise ImageFolderError(f"duplicate class names {duplicates} (names are compared without "
                               "case and surrounding spaces): give every class its own name")


# -- identity -------------------------------------------------------------------------------
def fingerprint(layout: Layout) -> str:
    """Hash of class names and file contents per split; file names and paths play no part."""
    digest = hashlib.sha256()
    for split, classes in (("train", layout.train), ("val", layout.val or {})):
        for name, files in classes.items():
            digest.update(f"{split}/{name}:".encode())
            for path in files:
                digest.update(download.file_sha256(path).encode())
    return digest.hexdigest()[:16]


# -- loading --------------------------------------------------------------------------------
def load_layout(layout: Layout, image_size: int, train_per_class: int = 10_000) -> ImageSet:
    """Decode, square-crop and resize every image; keep at most `train_per_class` per class."""
    x_train, y_train, x_val, y_val, skipped = [], [], [], [], []
    for index, name in enumerate(layout.labels):
        if layout.val is None:
            images = _decode_all(layout.train[name], image_size, layout.root, skipped)
            count_val = max(MIN_VAL_PER_CLASS, int(round(VAL_FRACTION * len(images))))
            train_images, val_images = images[count_val:][:train_per_class], images[:count_val]
        else:  # decode only as many training images as will be used
            train_images = _decode_all(layout.train[name], image_size, layout.root, skipped,
                                       limit=train_per_class)
            val_images = _decode_all(layout.val[name], image_size, layout.root, skipped)
        _check_counts(name, len(train_images), len(val_images), layout.val is None)
        x_train += train_images
        y_train += [index] * len(train_images)
        x_val += val_images
        y_val += [index] * len(val_images)
    return ImageSet(np.stack(x_train), np.asarray(y_train, np.int64), np.stack(x_val),
                    np.asarray(y_val, np.int64), layout.labels, skipped)


def _check_counts(name: str, train: int, val: int, split_here: bool) -> None:
    if train >= MIN_TRAIN_PER_CLASS and val >= MIN_VAL_PER_CLASS:
        return
    if split_here:
        raise ImageFolderError(
            f"class {name!r} has only {train + val} readable image(s): each class needs at least "
            f"{MIN_TRAIN_PER_CLASS + MIN_VAL_PER_CLASS} (some to train on, one to check with)")
    raise ImageFolderError(f"class {name!r} has {train} training and {val} validation image(s): "
                           f"each class needs at least {MIN_TRAIN_PER_CLASS} and {MIN_VAL_PER_CLASS}")


def _decode_all(files: tuple[Path, ...], size: int, root: Path, skipped: list[str],
                limit: int | None = None) -> list[np.ndarray]:
    images = []
    for path in files:
        if limit is not None and len(images) >= limit:
            break
        try:
            images.append(decode_square(path.read_bytes(), size))
        except ImageError as err:
            skipped.append(f"{path.relative_to(root)}: {err}")
    return images


def decode_square(data: bytes, size: int) -> np.ndarray:
    """Any accepted image (first frame, EXIF-rotated, RGB) centre-cropped to size×size uint8."""
    decoded = decode_image_info(data, max_bytes=20_000_000, max_side=max(4 * size, 512))
    return fit_square(decoded.array, size)


def fit_square(image: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop to a square and resize to size×size (what training did to every image)."""
    fitted = ImageOps.fit(Image.fromarray(np.asarray(image, np.uint8)), (size, size), Image.BILINEAR)
    return np.asarray(fitted, dtype=np.uint8)


@functools.lru_cache(maxsize=4)
def load_folder_cached(root: str, image_size: int, train_per_class: int, fp: str) -> ImageSet:
    """Memoised per process (the worker trains several strategies on the same images)."""
    return load_layout(find_layout(root), image_size, train_per_class)


# -- the learner's uploads ------------------------------------------------------------------
def store_class_uploads(classes: list[tuple[str, list[bytes]]], uploads_root: Path) -> Path:
    """Write per-class uploads to a content-addressed folder `<root>/classes-<hash>/<class>/`.

    Files are named by their content hash, so nothing of the learner's file names is kept.
    """
    check_class_names([name for name, _ in classes])
    for name, files in classes:
        if len(files) < MIN_TRAIN_PER_CLASS + MIN_VAL_PER_CLASS:
            raise ImageFolderError(f"class {name.strip()!r} has {len(files)} image(s): each class needs "
                                   f"at least {MIN_TRAIN_PER_CLASS + MIN_VAL_PER_CLASS}")
    digest = hashlib.sha256()
    hashed = []
    for name, files in classes:
        shas = sorted((hashlib.sha256(data).hexdigest(), data) for data in files)
        digest.update(f"{name.strip()}:".encode() + "".join(s for s, _ in shas).encode())
        hashed.append((name.strip(), shas))
    final = uploads_root / f"classes-{digest.hexdigest()[:24]}"
    if final.is_dir():
        return final
    uploads_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".classes-", dir=uploads_root))
    try:
        for name, shas in hashed:
            (tmp / name).mkdir()
            for sha, data in shas:
                (tmp / name / f"{sha[:20]}.img").write_bytes(data)
        os.replace(tmp, final)
    except OSError:
        if not final.is_dir():
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def thumbnails(images: np.ndarray, size: int = 96) -> np.ndarray:
    """Smaller copies for the page (misclassified images), so cache entries stay small."""
    if images.shape[1] <= size:
        return images
    return np.stack([np.asarray(Image.fromarray(im).resize((size, size), Image.BILINEAR)) for im in images])


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()

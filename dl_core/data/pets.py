"""Oxford-IIIT Pet for segmentation: `images/*.jpg` with `annotations/trimaps/*.png`.

Trimap pixels are 1 = pet, 2 = background, 3 = border; we subtract 1 so the classes are 0, 1, 2.
The real download has oddities a loader must survive: a GIF and an RGBA PNG saved under `.jpg`
names (Pillow reads a file by its content, so both decode; we flatten them to RGB), and images
without a trimap. Unusable pairs are skipped and listed in the note the page shows; a folder
that is not in this layout is refused with a message that says what is missing.

The folder is found from `--data PATH`, then $DL_LAB_PETS_DIR, then an earlier download in the
data folder, then (only when online) a download verified by the archives' published MD5s.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from dl_core import settings
from dl_core.data import download

ENV_VAR = "DL_LAB_PETS_DIR"
FOLDER = "oxford-iiit-pet"
# torchvision's pins of the official archives.
ARCHIVES = {
    "images.tar.gz": ("https://www.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz",
                      "5c4f3ee8e5d25df40f4fd59a7f44e54c"),
    "annotations.tar.gz": ("https://www.robots.ox.ac.uk/~vgg/data/pets/data/annotations.tar.gz",
                           "95a8c909bbe2e81eed6a22bccdf3f68f"),
}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif")
TRIMAP_VALUES = (1, 2, 3)


@dataclass
class PetsData:
    images: np.ndarray  # uint8 N×S×S×3
    masks: np.ndarray  # uint8 N×S×S, classes 0 = pet, 1 = background, 2 = border
    names: list[str]
    skipped: list[str] = field(default_factory=list)  # "name: reason", for the note


def find_pets_dir(data: str | None = None) -> Path | None:
    """The folder to read, or None when there is none (the caller falls back to built-in scenes)."""
    if data:
        return check_layout(Path(data).expanduser())
    explicit = settings.pets_dir()
    if explicit is not None:
        return check_layout(explicit)
    local = settings.data_dir() / FOLDER
    if _has_layout(local):
        return local
    if download.online():
        return _download(local)
    return None


def check_layout(root: Path) -> Path:
    if not root.is_dir():
        raise ValueError(f"pets folder {root} does not exist: give a folder with images/ and "
                         "annotations/trimaps/ (the Oxford-IIIT Pet layout)")
    for sub in ("images", "annotations/trimaps"):
        if not (root / sub).is_dir():
            raise ValueError(f"pets folder {root} has no {sub}/ folder: expected images/*.jpg and "
                             "annotations/trimaps/*.png (the Oxford-IIIT Pet layout)")
    return root


def _has_layout(root: Path) -> bool:
    return (root / "images").is_dir() and (root / "annotations" / "trimaps").is_dir()


def list_pairs(root: Path) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """Sorted (name, image, trimap) pairs, and one "file: reason" line per image left out."""
    images = {p.stem: p for p in sorted((root / "images").iterdir())
              if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")}
    trimaps = {p.stem: p for p in (root / "annotations" / "trimaps").iterdir()
               if p.suffix.lower() == ".png" and not p.name.startswith(".")}
    pairs, skipped = [], []
    for name, image in sorted(images.items()):
        if name in trimaps:
            pairs.append((name, image, trimaps[name]))
        else:
            skipped.append(f"{image.name}: no trimap annotations/trimaps/{name}.png")
    if not pairs:
        raise ValueError(f"no image in {root / 'images'} has a matching trimap in "
                         f"{root / 'annotations' / 'trimaps'}: expected images/NAME.jpg with "
                         "annotations/trimaps/NAME.png")
    return pairs, skipped


def read_image(path: Path, size: int) -> np.ndarray:
    """Any format Pillow knows (the set has a GIF and RGBA PNGs named .jpg) -> S×S×3 uint8."""
    with Image.open(path) as image:
        image.seek(0)  # a GIF: its first frame
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, image)
        image = image.convert("RGB")
        return np.asarray(image.resize((size, size), Image.BILINEAR), dtype=np.uint8)


def read_trimap(path: Path, size: int | None = None, expect: tuple[int, int] | None = None) -> np.ndarray:
    """Trimap -> classes 0..2, resized with nearest neighbour (never blending class values)."""
    with Image.open(path) as trimap:
        if expect is not None and trimap.size != expect:
            raise ValueError(f"{path.name} is {trimap.size[0]}×{trimap.size[1]} but its image is "
                             f"{expect[0]}×{expect[1]}: the trimap does not match the image")
        values = np.asarray(trimap.convert("L") if trimap.mode not in ("L", "P") else trimap)
        if size is not None:
            values = np.asarray(Image.fromarray(values).resize((size, size), Image.NEAREST))
    found = np.unique(values)
    if not set(found.tolist()) <= set(TRIMAP_VALUES):
        raise ValueError(f"{path.name} has pixel values {found[:8].tolist()}: expected trimap "
                         "values 1 = pet, 2 = background, 3 = border")
    return (values - 1).astype(np.uint8)


def load_pets(root: Path, count: int, size: int, seed: int = 0) -> PetsData:
    """`count` usable pairs, picked by a seeded shuffle (so the subset mixes breeds)."""
    pairs, skipped = list_pairs(root)
    order = np.random.default_rng(seed).permutation(len(pairs))
    images, masks, names = [], [], []
    for index in order:
        if len(names) == count:
            break
        name, image_path, trimap_path = pairs[index]
        try:
            with Image.open(image_path) as probe:
                original = probe.size
            image = read_image(image_path, size)
            mask = read_trimap(trimap_path, size, expect=original)
        except (OSError, UnidentifiedImageError, ValueError) as err:
            skipped.append(f"{image_path.name}: {err}")
            continue
        images.append(image)
        masks.append(mask)
        names.append(name)
    if len(names) < count:
        raise ValueError(f"images={count} but {root} has only {len(names)} usable image/trimap "
                         f"pairs: choose at most {len(names)}")
    return PetsData(np.stack(images), np.stack(masks), names, skipped)


@functools.lru_cache(maxsize=8)
def _fingerprint(root: str, mtimes: tuple) -> str:
    digest = hashlib.sha256()
    for sub in ("images", "annotations/trimaps"):
        for entry in sorted(os.scandir(Path(root) / sub), key=lambda e: e.name):
            stat = entry.stat()
            digest.update(f"{sub}/{entry.name}:{stat.st_size}:{int(stat.st_mtime)}\n".encode())
    return digest.hexdigest()[:16]


def fingerprint(root: Path) -> str:
    """Identity of the folder's files (names, sizes, times): cheap enough for every page rerun."""
    mtimes = tuple(os.stat(root / sub).st_mtime_ns for sub in ("images", "annotations/trimaps"))
    return f"pets:{_fingerprint(str(root.resolve()), mtimes)}"


def _download(target: Path) -> Path | None:
    """Fetch and unpack both archives (about 800 MB); None when anything fails."""
    try:
        target.mkdir(parents=True, exist_ok=True)
        for filename, (url, md5) in ARCHIVES.items():
            archive = _fetch_md5(url, target / filename, md5)
            with tarfile.open(archive) as tar:
                tar.extractall(target, filter="data")
            archive.unlink()
        return target if _has_layout(target) else None
    except (OSError, tarfile.TarError, download.DownloadError):
        return None


def _fetch_md5(url: str, target: Path, md5: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    digest = hashlib.md5()
    try:
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(url, timeout=download.DOWNLOAD_TIMEOUT_S) as resp:
            while chunk := resp.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != md5:
            raise download.DownloadError(f"{url}: MD5 {digest.hexdigest()} does not match {md5}")
        os.replace(tmp, target)
        return target
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

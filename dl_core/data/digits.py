"""Handwritten-digit images (28×28 grayscale): real MNIST / Fashion-MNIST, or built-in digits.

Real data is used when it is on disk (a path, an environment variable, a file we downloaded
earlier) or can be downloaded now (verified by checksum). Otherwise the built-in digits are
generated deterministically, so every page works offline. `load_digits` says which it returned.

We parse the files with numpy ourselves rather than calling `keras.datasets`: Keras's loader
checks the canonical file hash and deletes a valid, rebuilt `mnist.npz` when offline.
"""

from __future__ import annotations

import functools
import gzip
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dl_core import settings
from dl_core.data import builtin_digits, download
from dl_core.spec import DatasetInfo

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FASHION_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_FILES = {
    "x_train": ("train-images-idx3-ubyte.gz",
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
    "y_train": ("train-labels-idx1-ubyte.gz",
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
    "x_test": ("t10k-images-idx3-ubyte.gz",
               "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
    "y_test": ("t10k-labels-idx1-ubyte.gz",
               "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
}
FASHION_LABELS = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
DIGIT_LABELS = tuple(str(d) for d in range(10))
KINDS = ("digits", "fashion")
VAL_SIZE = 1000


@dataclass
class DigitsData:
    x_train: np.ndarray  # float32 N×28×28 in [0, 1]
    y_train: np.ndarray  # int labels
    x_val: np.ndarray
    y_val: np.ndarray
    labels: tuple[str, ...]
    info: DatasetInfo


@dataclass(frozen=True)
class Source:
    """Where the arrays for one dataset kind come from: a local file, or the generator."""

    kind: str
    origin: str  # "real" | "builtin"
    name: str
    path: Path | None
    fingerprint: str
    note: str = ""


def find_source(kind: str, data: str | None = None) -> Source:
    """Decide where `kind` comes from now. Cheap after the first call (hashes are memoised)."""
    if kind not in KINDS:
        raise ValueError(f"dataset {kind!r} is not one of {', '.join(KINDS)}")
    path = Path(data).expanduser() if data else _local_file(kind)
    if path is None and download.online():
        path = _download(kind)
    if path is not None:
        _check_real_path(path, kind)
        name = "MNIST" if kind == "digits" else "Fashion-MNIST"
        return Source(kind, "real", name, path, f"{kind}:{download.file_sha256(path)[:16]}")
    note = ("No MNIST file was found and there is no internet connection, so these are DL Lab's "
            "built-in digits: pen strokes written by a random hand, then size-normalised and "
            "centred the way MNIST's digits were.")
    if kind == "fashion":
        note = ("Fashion-MNIST is not available offline, so this run uses DL Lab's built-in digits "
                "instead. Put fashion_mnist.npz in the data folder to use the real set.")
    return Source(kind, "builtin", "built-in digits", None,
                  builtin_digits.fingerprint(), note)


def _check_real_path(path: Path, kind: str) -> None:
    """A one-line ValueError for anything that cannot be an MNIST file (or Fashion idx folder)."""
    expected = "expected a Keras-layout mnist.npz (x_train, y_train, x_test, y_test)"
    if not path.exists():
        raise ValueError(f"data file {path.name} does not exist: {expected}")
    if path.is_dir():
        idx_folder = kind == "fashion" and all((path / f).is_file() for f, _ in FASHION_FILES.values())
        if not idx_folder:
            raise ValueError(f"{path.name} is a folder: {expected}")


def load_digits(kind: str = "digits", train_size: int = 6000, data: str | None = None,
                seed: int = 0) -> DigitsData:
    """`train_size` training images (the first ones: a stable subset) and VAL_SIZE validation."""
    source = find_source(kind, data)
    if source.origin == "real":
        x_train, y_train, x_val, y_val = _read_real(source.path, kind)
        labels = DIGIT_LABELS if kind == "digits" else FASHION_LABELS
    else:
        x_train, y_train, x_val, y_val = builtin_digits.generate(train_size, VAL_SIZE)
        labels = DIGIT_LABELS
    if train_size > len(x_train):
        raise ValueError(f"train_size={train_size} but {source.name} has only {len(x_train)} "
                         f"training images: choose at most {len(x_train)}")
    x_train, y_train = x_train[:train_size], y_train[:train_size]
    x_val, y_val = x_val[:VAL_SIZE], y_val[:VAL_SIZE]
    info = DatasetInfo(source.name, source.origin, len(x_train), len(x_val),
                       source.fingerprint, source.note)
    return DigitsData(_to_unit(x_train), y_train.astype(np.int64), _to_unit(x_val),
                      y_val.astype(np.int64), labels, info)


def _to_unit(images: np.ndarray) -> np.ndarray:
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return images.astype(np.float32)


def _local_file(kind: str) -> Path | None:
    """A file given by environment variable, or left in the data folder by an earlier download."""
    explicit = settings.mnist_npz(kind)
    if explicit is not None:
        return explicit
    folder = settings.data_dir()
    candidate = folder / ("mnist.npz" if kind == "digits" else "fashion_mnist.npz")
    if candidate.is_file():
        return candidate
    if kind == "fashion" and all((folder / "fashion-mnist" / f).is_file()
                                 for f, _ in FASHION_FILES.values()):
        return folder / "fashion-mnist"
    return None


def _download(kind: str) -> Path | None:
    folder = settings.data_dir()
    try:
        if kind == "digits":
            return download.fetch(MNIST_URL, folder / "mnist.npz", MNIST_SHA256)
        target = folder / "fashion-mnist"
        for filename, sha in FASHION_FILES.values():
            download.fetch(FASHION_BASE + filename, target / filename, sha)
        return target
    except download.DownloadError:
        return None  # the caller falls back to the built-in set and says so


@functools.lru_cache(maxsize=4)
def _read_real(path: Path, kind: str) -> tuple[np.ndarray, ...]:
    if path.is_dir():
        return tuple(_read_idx_gz(path / FASHION_FILES[name][0])
                     for name in ("x_train", "y_train", "x_test", "y_test"))
    names = ("x_train", "y_train", "x_test", "y_test")
    if not zipfile.is_zipfile(path):  # numpy would try to unpickle it
        raise ValueError(f"{path.name} could not be read as an .npz file: it is not a zip of arrays; "
                         "expected a Keras-layout mnist.npz")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [name for name in names if name not in data.files]
            if missing:
                raise ValueError(f"{path.name} is not in the Keras layout: it has no array "
                                 f"{', '.join(missing)} (it has {', '.join(data.files[:6]) or 'none'}); "
                                 "expected x_train, y_train, x_test, y_test")
            arrays = tuple(np.asarray(data[name]) for name in names)
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise ValueError(f"{path.name} holds Python objects, not image arrays: expected a "
                             "Keras-layout mnist.npz of uint8 arrays x_train, y_train, x_test, y_test") from None
        raise
    except (OSError, EOFError, zipfile.BadZipFile) as err:  # truncated, unreadable
        raise ValueError(f"{path.name} could not be read as an .npz file ({type(err).__name__}): "
                         "expected a Keras-layout mnist.npz") from None
    x_train, y_train, x_test, y_test = arrays
    for name, images, labels in (("train", x_train, y_train), ("test", x_test, y_test)):
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype.kind not in "uif":
            raise ValueError(f"{path.name}: x_{name} has shape {images.shape} ({images.dtype}), "
                             "expected N×28×28 numbers")
        if labels.shape != (len(images),) or labels.dtype.kind not in "uif":
            raise ValueError(f"{path.name}: y_{name} has shape {labels.shape} ({labels.dtype}), "
                             f"expected {len(images)} numeric labels")
    return arrays


def _read_idx_gz(path: Path) -> np.ndarray:
    """Parse an IDX file (the original MNIST format): a magic number, dims, then raw bytes."""
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)

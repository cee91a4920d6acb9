"""Backbone features of a dataset, computed once and kept on disk with the uploads (not the models).

Feature extraction trains only the head, and the frozen backbone maps an image to the same
pooled feature vector every time. So we run the backbone once per (weights, backbone, input
size, images) and keep the vectors: retraining the head after a slider change then costs a
fraction of a second of training instead of a pass of the backbone over every image.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from typing import Callable

import numpy as np

from dl_core import settings

log = logging.getLogger(__name__)


def feature_key(**identity) -> str:
    blob = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def features_cached(key: str) -> bool:
    """Whether the features for `key` are on disk (a damaged file is found out when read)."""
    return (settings.features_dir() / f"{key}.npz").is_file()


def cached_features(key: str, compute: Callable[[], dict[str, np.ndarray]]) -> tuple[dict[str, np.ndarray], bool]:
    """(arrays, was_cached). `compute` runs only when no complete file exists for `key`."""
    path = settings.features_dir() / f"{key}.npz"
    if path.is_file():
        try:
            with np.load(path) as data:
                arrays = {name: data[name] for name in data.files}
            os.utime(path)  # recently used: the uploads' age limit keeps it
            return arrays, True
        except (ValueError, EOFError, zipfile.BadZipFile) as err:  # proven damaged: recompute
            log.warning("recomputing damaged features file %s: %s", path.name, err)
            path.unlink(missing_ok=True)
        except OSError as err:  # a failed read: recompute, but leave the file alone
            log.warning("could not read features file %s (%s); recomputing", path.name, err)
    arrays = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=".npz")
    with os.fdopen(fd, "wb") as handle:
        np.savez(handle, **arrays)
    os.replace(tmp, path)  # readers see no file or a complete one
    return arrays, False

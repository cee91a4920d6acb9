"""Backbone features of a dataset, computed once and kept on disk with the uploads (not the models).

Feature extraction trains only the head, and the frozen backbone maps an image to the same
pooled feature vector every time. So we run the backbone once per (weights, backbone, input
size, images) and keep the vectors: retraining the head after a slider change then costs a
fraction of a second of training instead of a pass of the backbone over every image.
"""

from __future__ import annotations

import hashlib
import json
from typing import Callable

import numpy as np

from dl_core import settings
from dl_core.data.array_store import load_or_compute


def feature_key(**identity) -> str:
    blob = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def features_cached(key: str) -> bool:
    """Whether the features for `key` are on disk (a damaged file is found out when read)."""
    return (settings.features_dir() / f"{key}.npz").is_file()


def cached_features(key: str, compute: Callable[[], dict[str, np.ndarray]]) -> tuple[dict[str, np.ndarray], bool]:
    """(arrays, was_cached). `compute` runs only when no complete file exists for `key`.
    A read marks the file as recently used: the uploads' age limit keeps it."""
    return load_or_compute(settings.features_dir() / f"{key}.npz", compute, touch=True)

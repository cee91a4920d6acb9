"""The judge for generated digits: a small classifier trained once per dataset and cached.

Its key (like a topic's) hashes the dataset's content and this module's version, so every GAN
trained on the same digits is scored by the same classifier, and it is trained only once.
It lives in the model cache under the pseudo-topic `gan_classifier`.
"""

from __future__ import annotations

import time

import numpy as np

from dl_core.cache import Entry, ModelCache, make_key
from dl_core.data.digits import find_source, load_digits

NAME = "gan_classifier"
VERSION = 1
SETTINGS = {"train_size": 6000, "epochs": 5, "batch_size": 128}
SEED = 0


def build_digit_classifier(classes: int = 10):
    """Two small convolutions and a softmax: ~98 % on MNIST after a few epochs."""
    import keras
    from keras import layers

    image = keras.Input(shape=(28, 28, 1), name="image")
    x = layers.Conv2D(filters=16, kernel_size=3, strides=2, padding="same", activation="relu")(image)
    x = layers.Conv2D(filters=32, kernel_size=3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(units=64, activation="relu")(x)
    probabilities = layers.Dense(units=classes, activation="softmax")(x)
    return keras.Model(image, probabilities, name="digit_classifier")


def classifier_key(kind: str, data: str | None = None) -> str:
    fingerprint = find_source(kind, data).fingerprint
    return make_key(NAME, VERSION, {"kind": kind, **SETTINGS}, fingerprint, SEED)


def get_classifier(kind: str, data: str | None = None, cache: ModelCache | None = None) -> Entry:
    """The cached classifier for this dataset, trained now (under a lock) if it is missing."""
    cache = cache or ModelCache()
    key = classifier_key(kind, data)
    entry = cache.get(NAME, key)
    if entry is not None:
        return entry
    with cache.lock(key):
        entry = cache.get(NAME, key)
        if entry is not None:
            return entry
        return _train_and_store(kind, data, cache, key)


def _train_and_store(kind: str, data: str | None, cache: ModelCache, key: str) -> Entry:
    import keras

    keras.utils.set_random_seed(SEED)
    digits = load_digits(kind, min(SETTINGS["train_size"], _available(kind, data)), data)
    model = build_digit_classifier(len(digits.labels))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(digits.x_train[..., None], digits.y_train, epochs=SETTINGS["epochs"],
              batch_size=SETTINGS["batch_size"], verbose=0)
    _, accuracy = model.evaluate(digits.x_val[..., None], digits.y_val, verbose=0)
    meta = {"topic": NAME, "params": {"kind": kind, **SETTINGS}, "seed": SEED,
            "metrics": {"val_accuracy": float(accuracy)}, "history": {},
            "dataset": digits.info.to_json(), "seconds": round(time.perf_counter() - started, 3),
            "info": {"labels": list(digits.labels)}}
    return cache.put(NAME, key, meta, model, [], {})


def _available(kind: str, data: str | None) -> int:
    """How many training images the source has (the built-in generator makes as many as asked)."""
    from dl_core.data.digits import _read_real

    source = find_source(kind, data)
    if source.origin == "builtin":
        return SETTINGS["train_size"]
    return len(_read_real(source.path, kind)[0])


def class_probabilities(entry: Entry, images: np.ndarray) -> np.ndarray:
    """N×10 probabilities for N images in [0, 1] (N×28×28 or N×28×28×1)."""
    from dl_core.inference import load_shared

    batch = np.asarray(images, np.float32).reshape(-1, 28, 28, 1)
    return load_shared(entry.model_path)(batch)

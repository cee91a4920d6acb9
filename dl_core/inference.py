"""Trained models loaded for inference in the page process: once, read-only, shared, locked.

Every Streamlit session runs in the same process, so one loaded copy per cache entry serves the
whole class. Keras/TF models are not thread-safe, so each call holds the model's lock.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

_loaded: dict[tuple[str, int], "SharedModel"] = {}
_loading = threading.Lock()


class SharedModel:
    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()

    def __call__(self, inputs: np.ndarray, layer: str | None = None) -> np.ndarray:
        """Run the model (or one named sub-model, e.g. "encoder") on a batch, in inference mode."""
        import keras

        with self.lock:
            target = self.model.get_layer(layer) if layer else self.model
            return keras.ops.convert_to_numpy(target(np.asarray(inputs, np.float32), training=False))


def load_shared(model_path: str | Path) -> SharedModel:
    """The process-wide shared copy of a saved model (keyed by path and modification time)."""
    path = Path(model_path)
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    with _loading:
        shared = _loaded.get(key)
        if shared is None:
            import keras

            from dl_core.devices import configure_training_device

            configure_training_device()  # on a GPU: memory growth, so the worker can share the card
            shared = SharedModel(keras.saving.load_model(path, compile=False))
            _loaded[key] = shared
        return shared

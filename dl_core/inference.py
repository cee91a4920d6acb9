"""Trained models loaded for inference in the page process: once, read-only, shared, locked.

Every Streamlit session runs in the same process, so one loaded copy per cache entry serves the
whole class. Keras/TF models are not thread-safe, so each call holds the model's lock. The
process keeps at most `settings.inference_models()` models (least recently used go first) and
forgets a model as soon as its cache entry is gone or was rewritten, so a server that runs for
a whole term does not hold every model it ever showed.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from dl_core import settings

log = logging.getLogger(__name__)

_loaded: "OrderedDict[str, tuple[int, SharedModel]]" = OrderedDict()  # path -> (mtime, model)
_loading = threading.Lock()


class SharedModel:
    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()

    def __call__(self, inputs: np.ndarray, layer: str | None = None):
        """Run the model (or one named sub-model, e.g. "encoder") on a batch, in inference mode:
        an array, or a list of arrays for a model of several outputs.

        A whole model runs through its compiled predict function (traced once per input shape):
        a VAE slider's one-image decode costs about 2 ms so, against about 9 ms called eagerly."""
        import keras

        batch = np.asarray(inputs, np.float32)
        with self.lock:
            target = self.model.get_layer(layer) if layer else self.model
            if isinstance(target, keras.Model):
                return target.predict_on_batch(batch)
            return keras.ops.convert_to_numpy(target(batch, training=False))


def load_shared(model_path: str | Path) -> SharedModel:
    """The process-wide shared copy of a saved model (keyed by path and modification time)."""
    path = Path(model_path).resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise ValueError("this trained model is no longer in the cache (it was cleared or "
                         "evicted): train the setting again") from None
    with _loading:
        _forget_gone()
        held = _loaded.get(str(path))
        if held is not None and held[0] == mtime:
            _loaded.move_to_end(str(path))
            return held[1]
        shared = SharedModel(_load(path))
        _loaded[str(path)] = (mtime, shared)
        while len(_loaded) > settings.inference_models():
            dropped, _ = _loaded.popitem(last=False)
            log.info("unloaded %s (least recently used of the loaded models)", dropped)
        return shared


def loaded_paths() -> list[str]:
    """The model files held now, least recently used first (for tests and `info`)."""
    with _loading:
        return list(_loaded)


def _load(path: Path):
    import keras

    from dl_core.devices import configure_training_device

    configure_training_device()  # on a GPU: memory growth, so the worker can share the card
    return keras.saving.load_model(path, compile=False)


def _forget_gone() -> None:
    """Drop models whose file was removed or rewritten (a cleared or retrained entry)."""
    for key, (mtime, _) in list(_loaded.items()):
        try:
            current = Path(key).stat().st_mtime_ns
        except OSError:
            current = None
        if current != mtime:
            del _loaded[key]

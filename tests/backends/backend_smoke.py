"""Every trainable topic at its tiny test setting, under whatever KERAS_BACKEND is set.

    python backend_smoke.py train OUT.json CACHE_DIR    train every topic, probe its models
    python backend_smoke.py probe OUT.json RESULTS.json  probe the models another run trained

`train` writes, per topic, the final metrics, the model's path and the training's seconds, plus
what each model predicts on fixed inputs and a Grad-CAM gradient. `probe` loads the models a
run under another backend saved and writes the same probes, so a test can check that a saved
model means the same on both backends.

tests/backends/test_backends.py runs this under JAX, in processes of their own because Keras
picks its backend once, at import (conftest starts the `train` run when the session starts, so
it overlaps the rest of the suite). The TensorFlow half runs in the pytest process itself.
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy as np
from tiny_settings import (
    TINY_AE,
    TINY_BACKPROP,
    TINY_CLASSIFIER,
    TINY_DCGAN,
    TINY_DESCENT,
    TINY_LSTM,
    TINY_MEMORY,
    TINY_OVERFIT,
    TINY_PLAYGROUND,
    TINY_SEGMENTATION,
    TINY_SOURCE,
    TINY_TRANSFER,
    TINY_VAE,
    TINY_VANISHING,
)

# The topic tests' own tiny settings, so a topic that changes its tiny setting changes it here
# too. Keys are registry names (dl_core.topics).
SMOKE_SETTINGS = {
    "playground": TINY_PLAYGROUND,
    "transfer_source": TINY_SOURCE,
    "transfer": TINY_TRANSFER,
    "segmentation": TINY_SEGMENTATION,
    "lstm": TINY_LSTM,
    "lstm_memory": TINY_MEMORY,
    "autoencoder": TINY_AE,
    "vae": TINY_VAE,
    "gan": {"steps": 200},
    "gan_classifier": TINY_CLASSIFIER,
    "gan_digits": TINY_DCGAN,
    "vanishing": TINY_VANISHING,
    "descent": TINY_DESCENT,
    "backprop": TINY_BACKPROP,
    "overfit": TINY_OVERFIT,
}
PROBE_SEED = 7


def finite_number(value) -> float | None:
    """A metric as a plain float, or None when it is not a finite number (a list, a NaN...)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def train_all(cache_dir: str, topics: list[str] | None = None, seed: int = 0) -> dict:
    """{"backend": name, "topics": {topic: {"metrics", "model_path", "seconds"}}}."""
    import keras

    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load
    from dl_core.topics import transfer
    from dl_core.topics.gan import judge

    # What one topic asks another for, shrunk as the topic tests shrink it: the DCGAN's judge
    # and transfer learning's own pretrained source (restored after, for the pytest process).
    shrunk = [(judge, "SETTINGS", TINY_CLASSIFIER), (transfer, "SOURCE_PARAMS", TINY_SOURCE)]
    originals = [(module, name, getattr(module, name)) for module, name, _ in shrunk]
    cache = ModelCache(cache_dir)
    results = {"backend": keras.backend.backend(), "topics": {}}
    try:
        for module, name, value in shrunk:
            setattr(module, name, value)
        for topic in topics or SMOKE_SETTINGS:
            started = time.perf_counter()
            entry, _ = train_or_load(resolve(topic, SMOKE_SETTINGS[topic], seed), cache)
            results["topics"][topic] = {
                "metrics": {name: finite_number(value) for name, value in entry.metrics.items()},
                "model_path": str(entry.model_path),
                "seconds": round(time.perf_counter() - started, 2),
            }
    finally:
        for module, name, value in originals:
            setattr(module, name, value)
    return results


def deterministic_parts(model) -> dict:
    """The model, or its named functional sub-models when the whole draws random numbers
    (a VAE samples z, a GAN draws noise): name -> keras.Model."""
    import keras

    parts = {layer.name: layer for layer in model.layers
             if isinstance(layer, keras.Model) and layer.name in
             ("encoder", "decoder", "generator", "discriminator")}
    return parts or {"model": model}


def probe_outputs(model_path: str) -> dict[str, list]:
    """What each deterministic part of a saved model predicts on fixed, seeded inputs."""
    import keras

    from dl_core.inference import load_shared

    _register_model_classes()
    model = load_shared(model_path).model
    rng = np.random.default_rng(PROBE_SEED)
    outputs = {}
    for name, part in deterministic_parts(model).items():
        inputs = [rng.random([2 if d is None else d for d in tensor.shape]).astype(np.float32)
                  for tensor in part.inputs]
        result = part(inputs[0] if len(inputs) == 1 else inputs, training=False)
        flat = result if isinstance(result, (list, tuple)) else [result]
        outputs[name] = [keras.ops.convert_to_numpy(x).tolist() for x in flat]
    return outputs


def _register_model_classes() -> None:
    """Import every dl_core.models module: their custom layers register themselves for loading
    (a page imports its topic's module before it loads a model; this process may not have)."""
    import importlib
    import pkgutil

    import dl_core.models

    for module in pkgutil.iter_modules(dl_core.models.__path__):
        importlib.import_module(f"dl_core.models.{module.name}")


def probe_all(results: dict) -> dict:
    """{topic: probe_outputs} for every model in a train_all() result."""
    return {topic: probe_outputs(run["model_path"]) for topic, run in results["topics"].items()}


def grad_cam_of(model_path: str) -> dict:
    """∂y_c/∂A and the Grad-CAM heatmap of a transfer classifier on a fixed, seeded photo: the
    one gradient the pages take outside training."""
    from keras import ops

    from dl_core.inference import load_shared
    from dl_core.topics.transfer.gradcam import grad_cam, score_gradient

    _register_model_classes()
    model = load_shared(model_path).model
    height, width = model.inputs[0].shape[1:3]
    photo = np.random.default_rng(PROBE_SEED).uniform(0, 255, (height, width, 3)).astype(np.float32)
    features = model.get_layer("backbone")(model.get_layer("preprocess")(photo[None]))
    gradient = score_gradient(ops.convert_to_numpy(features)[0],
                              [model.get_layer("pool"), model.get_layer("logits")], 0)
    heatmap, _ = grad_cam(model, photo, class_index=0)
    return {"gradient": gradient.tolist(), "heatmap": heatmap.tolist()}


def probes(results: dict) -> dict:
    """What the models of a train_all() result predict, and the transfer model's Grad-CAM."""
    return {"probes": probe_all(results),
            "grad_cam": grad_cam_of(results["topics"]["transfer"]["model_path"])}


def main(argv: list[str]) -> None:
    mode, out, source = argv
    if mode == "train":
        report = train_all(source)
        report.update(probes(report))
    elif mode == "probe":
        with open(source, encoding="utf-8") as handle:
            report = probes(json.load(handle))
    else:
        raise SystemExit(f"unknown mode {mode!r}: use train or probe")
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(report, handle)


if __name__ == "__main__":
    main(sys.argv[1:])

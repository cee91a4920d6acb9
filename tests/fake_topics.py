"""A fast, controllable topic for engine tests: trains a tiny Dense model on random data.

Registered through DL_LAB_EXTRA_TOPICS so real worker processes can run it. `sleep_s` slows each
batch so tests can cancel or kill mid-training; `fail` raises inside training.
"""

import time

import numpy as np

from dl_core.params import Param, Schema
from dl_core.spec import DatasetInfo, TopicSpec, TrainResult

SCHEMA = Schema((
    Param("epochs", "int", 2, "epochs", min=1, max=100),
    Param("sleep_s", "float", 0.0, "seconds slept per batch", min=0.0, max=5.0),
    Param("fail", "bool", False, "raise inside training"),
    Param("tag", "str", "a", "free text: distinct tags are distinct cache keys"),
))


def train(params, ctx, data=None):
    import keras

    from dl_core.training import ProgressCallback

    if params["fail"]:
        raise ValueError("boom: the fake topic was asked to fail")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")

    class Sleepy(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(params["sleep_s"])

    progress = ProgressCallback(ctx, params["epochs"], 4, preview=lambda m: np.zeros((2, 2), np.uint8))
    model.fit(x, y, epochs=params["epochs"], batch_size=16, verbose=0, callbacks=[Sleepy(), progress])
    info = DatasetInfo("random", "builtin", 64, 0, "random-v1")
    return TrainResult(model, {"val_mse": float(model.evaluate(x, y, verbose=0))}, progress.history,
                       info, progress.previews, {"x": x})


TOPIC = TopicSpec("fake", "Fake", "engine test topic", 1, SCHEMA, train,
                  lambda params, data: "random-v1")

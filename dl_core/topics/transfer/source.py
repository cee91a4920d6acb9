"""Our own pretraining: a small CNN learns 24 classes of built-in shapes × textures, once.

The transfer topic uses this model's "backbone" when no ImageNet weights can be had (offline,
no weights file), or when the learner picks the small CNN. It is an ordinary cached topic, so it
is trained once per machine (or by `python -m dl_core warm transfer_source`) and then reused.
"""

from __future__ import annotations

import numpy as np

from dl_core.data import builtin_shapes
from dl_core.params import Param, Schema
from dl_core.spec import DatasetInfo, TopicSpec, TrainContext, TrainResult

IMAGE_SIZE = 64
VAL_SHARE = 0.1

SCHEMA = Schema((
    Param("per_class", "int", 150, "Generated images per source class", min=10, max=1000),
    Param("epochs", "int", 8, "Passes over the source images", min=1, max=30),
    Param("learning_rate", "float", 0.003, "Adam step size", min=0.0001, max=0.01, log=True),
    Param("batch_size", "int", 64, "Images per gradient step", choices=(32, 64, 128)),
))


def source_image_count(params: dict) -> int:
    """Training images of the source task for `params` (its validation share held out)."""
    total = params["per_class"] * len(builtin_shapes.source_labels())
    return total - max(1, int(total * VAL_SHARE))


def dataset_fingerprint(params: dict, data: str | None) -> str:
    return f"builtin-shapes-v{builtin_shapes.VERSION}"


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.models.transfer import build_small_cnn, build_transfer_classifier
    from dl_core.training import ProgressCallback

    images, labels = builtin_shapes.source_task(params["per_class"], IMAGE_SIZE)
    count_val = max(1, int(len(images) * VAL_SHARE))
    x_train, y_train = images[count_val:], labels[count_val:]
    x_val, y_val = images[:count_val], labels[:count_val]
    classes = builtin_shapes.source_labels()
    model = build_transfer_classifier(build_small_cnn(), len(classes), IMAGE_SIZE, "unit",
                                      bn_inference=False)
    model.compile(optimizer=keras.optimizers.Adam(params["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    steps = int(np.ceil(len(x_train) / params["batch_size"]))
    progress = ProgressCallback(ctx, params["epochs"], steps)
    model.fit(x_train.astype(np.float32), y_train, validation_data=(x_val.astype(np.float32), y_val),
              epochs=params["epochs"], batch_size=params["batch_size"], callbacks=[progress], verbose=0)
    info = DatasetInfo("built-in shapes and textures (source task)", "builtin", len(x_train),
                       len(x_val), dataset_fingerprint(params, data),
                       f"{len(classes)} classes: {len(builtin_shapes.SOURCE_SHAPES)} shapes × "
                       f"{len(builtin_shapes.TEXTURES)} textures, drawn by DL Lab.")
    metrics = {"val_accuracy": float(progress.history["val_accuracy"][-1])}
    return TrainResult(model, metrics, progress.history, info,
                       info={"labels": list(classes), "image_size": IMAGE_SIZE})


TOPIC = TopicSpec(
    name="transfer_source",
    title="Transfer learning: our own pretraining",
    summary="A small CNN pretrained on 24 classes of built-in shapes and textures (used offline).",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    gpu=True,
)

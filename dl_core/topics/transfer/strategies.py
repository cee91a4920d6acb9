"""The three transfer-learning strategies, as Keras training code (imported inside train() only).

1. scratch: the same architecture, randomly initialised, every layer trained.
2. feature: the backbone frozen; only a new head (pool → dense) is trained. Without
   augmentation the head trains on cached backbone features (see dl_core.topics.transfer.features).
3. finetune: feature extraction first, then the top N backbone layers unfrozen and trained at a
   low learning rate. BatchNormalization layers stay frozen and run in inference mode, because
   their moving statistics came from millions of images and a few small batches of ours would
   overwrite them, wrecking the pretrained features they feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import keras
import numpy as np

from dl_core.models.transfer import (
    build_augmentation,
    build_head,
    build_transfer_classifier,
)
from dl_core.spec import TrainContext
from dl_core.topics.transfer import stages
from dl_core.topics.transfer.features import cached_features
from dl_core.training import ProgressCallback


@dataclass
class Run:
    params: dict
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    num_classes: int
    preprocess: str
    make_backbone: Callable[[], keras.Model]
    feature_key: str
    ctx: TrainContext
    history: dict[str, list[float]] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    val_outputs: tuple | None = None  # (embeddings, probabilities) when known without a pass

    @property
    def total_epochs(self) -> int:
        extra = self.params["finetune_epochs"] if self.params["strategy"] == "finetune" else 0
        return self.params["epochs"] + extra


def _compile(model: keras.Model, learning_rate: float) -> None:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def _fit(run: Run, model: keras.Model, x, y, x_val, epochs: int, initial_epoch: int = 0) -> None:
    """fit() with live progress; `model` may be an augmentation wrapper around the classifier."""
    training = stages.TRAIN[run.params["strategy"]]
    if run.ctx.stage != training:  # fine-tuning's second fit stays in the same stage
        run.ctx.begin(training)
    batch = run.params["batch_size"]
    progress = ProgressCallback(run.ctx, run.total_epochs, int(np.ceil(len(x) / batch)))
    model.fit(x, y, validation_data=(x_val, run.y_val), batch_size=batch, epochs=initial_epoch + epochs,
              initial_epoch=initial_epoch, callbacks=[progress], verbose=0, shuffle=True)
    for name, values in progress.history.items():
        run.history.setdefault(name, []).extend(values)
    run.ctx.check_stop()


def _with_augmentation(run: Run, classifier: keras.Model) -> keras.Model:
    if not run.params["augment"]:
        return classifier
    size = run.params["image_size"]
    inputs = keras.Input(shape=(size, size, 3))
    wrapper = keras.Model(inputs, classifier(build_augmentation()(inputs)), name="augmented")
    return wrapper


def _train_images(run: Run, classifier: keras.Model, learning_rate: float, epochs: int,
                  initial_epoch: int = 0) -> None:
    trainee = _with_augmentation(run, classifier)
    _compile(trainee, learning_rate)
    _fit(run, trainee, run.x_train.astype(np.float32), run.y_train, run.x_val.astype(np.float32),
         epochs, initial_epoch)


def pooled_model(classifier: keras.Model) -> keras.Model:
    """image → pooled backbone features (the embedding the head sees)."""
    return keras.Model(classifier.inputs, classifier.get_layer("pool").output)


def train_scratch(run: Run) -> keras.Model:
    classifier = build_transfer_classifier(run.make_backbone(), run.num_classes,
                                           run.params["image_size"], run.preprocess, bn_inference=False)
    _train_images(run, classifier, run.params["head_lr"], run.params["epochs"])
    return classifier


def train_feature_extraction(run: Run) -> keras.Model:
    backbone = run.make_backbone()
    backbone.trainable = False
    classifier = build_transfer_classifier(backbone, run.num_classes, run.params["image_size"],
                                           run.preprocess, bn_inference=True)
    if run.params["augment"]:  # every epoch sees new pixels: the features cannot be cached
        _train_images(run, classifier, run.params["head_lr"], run.params["epochs"])
        run.facts["feature_cache"] = "not used (augmentation)"
        return classifier
    features, hit = cached_features(run.feature_key, lambda: _features(run, classifier))
    run.facts["feature_cache"] = "hit" if hit else "computed"
    head = build_head(features["train"].shape[1], run.num_classes)
    _compile(head, run.params["head_lr"])
    _fit(run, head, features["train"], run.y_train, features["val"], run.params["epochs"])
    classifier.get_layer("logits").set_weights(head.get_layer("logits").get_weights())
    # The frozen backbone's validation features are cached too: no pass over the images needed.
    run.val_outputs = (features["val"], head.predict(features["val"], verbose=0))
    return classifier


def _features(run: Run, classifier: keras.Model) -> dict[str, np.ndarray]:
    run.ctx.begin(stages.FEATURES)
    extractor = pooled_model(classifier)
    return {split: extractor.predict(images.astype(np.float32), batch_size=32, verbose=0)
            for split, images in (("train", run.x_train), ("val", run.x_val))}


def unfreeze_top(backbone: keras.Model, count: int) -> list[str]:
    """Make the top `count` weighted backbone layers trainable, BatchNormalization excepted."""
    backbone.trainable = True
    weighted = [layer for layer in backbone.layers if layer.weights]
    chosen = [layer for layer in weighted[-count:] if not isinstance(layer, keras.layers.BatchNormalization)]
    for layer in backbone.layers:
        layer.trainable = layer in chosen
    return [layer.name for layer in chosen]


def train_fine_tuning(run: Run) -> keras.Model:
    classifier = train_feature_extraction(run)
    run.val_outputs = None  # the backbone is about to change
    unfrozen = unfreeze_top(classifier.get_layer("backbone"), run.params["finetune_layers"])
    run.facts["unfrozen_layers"] = unfrozen
    _train_images(run, classifier, run.params["finetune_lr"], run.params["finetune_epochs"],
                  initial_epoch=run.params["epochs"])
    return classifier


STRATEGIES = {"scratch": train_scratch, "feature": train_feature_extraction,
              "finetune": train_fine_tuning}

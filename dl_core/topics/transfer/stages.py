"""The parts of one transfer-learning run, as the page lists them while it waits.

Each part that will actually run is planned with a rough share of the time: its pixel-epochs
(images × pixels × passes; a forward-only pass counts a third of a training pass), so that a
196-second pretraining of the built-in source and a 5-second head do not get one bar each.
"""

from __future__ import annotations

PRETRAIN = "pretraining the built-in source CNN (once per machine)"
FEATURES = "computing the frozen backbone's features (once per image set)"
TRAIN = {"scratch": "training every layer from random weights",
         "feature": "training the head on the frozen backbone's features",
         "finetune": "training the head, then fine-tuning the top layers"}
SCRATCH = "training the from-scratch comparison on the same images"
RESULTS = "computing the confusion matrix and the feature space"

FORWARD = 1 / 3  # a forward pass costs about a third of a forward-and-backward one
HEAD_ON_FEATURES = 0.002  # a dense head on cached vectors, relative to a pass over the images


def pixel_epochs(images: int, size: int, passes: float) -> float:
    return images * size * size * passes


def transfer_plan(params: dict, train_count: int, val_count: int, *, pretrain: tuple | None,
                  features_needed: bool, scratch_epochs: int | None) -> list[tuple[str, float]]:
    """[(title, weight)] of the stages this run will go through, in order.

    `pretrain`: (images, size, epochs) of the source pretraining when it must run now;
    `scratch_epochs`: the from-scratch comparison's epochs when it must be trained now."""
    size, strategy = params["image_size"], params["strategy"]
    stages = []
    if pretrain is not None:
        stages.append((PRETRAIN, pixel_epochs(*pretrain)))
    on_features = strategy != "scratch" and not params["augment"]
    if on_features and features_needed:
        stages.append((FEATURES, pixel_epochs(train_count + val_count, size, FORWARD)))
    head_passes = HEAD_ON_FEATURES if on_features else 1.0
    weight = pixel_epochs(train_count, size, params["epochs"] * head_passes)
    if strategy == "finetune":
        weight += pixel_epochs(train_count, size, params["finetune_epochs"])
    stages.append((TRAIN[strategy], weight))
    if scratch_epochs:
        stages.append((SCRATCH, pixel_epochs(train_count, size, scratch_epochs)))
    stages.append((RESULTS, pixel_epochs(val_count, size, FORWARD)))
    return stages

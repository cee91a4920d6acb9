"""Transfer learning: start from pretrained weights or random ones; freeze the backbone or tune it.

Cross-entropy on the softmax of the head, p = softmax(W·GAP(f_θ(x)) + b):
    L = −1/N Σ_i log p_{y_i}(x_i)
scratch trains θ, W, b from random values; feature extraction keeps the pretrained θ fixed and
trains W, b; fine-tuning then also trains the top N layers of θ at a small learning rate.
Metrics: `val_accuracy`, `scratch_val_accuracy` (the from-scratch reference on the same images),
`backbone`, `weights_source` ("imagenet" | "builtin-pretrained" | "none").
"""

from __future__ import annotations

import numpy as np

from dl_core.data.transfer_target import find_target, load_target
from dl_core.params import Param, Schema
from dl_core.spec import TopicSpec, TrainContext, TrainResult
from dl_core.topics.transfer import stages
from dl_core.topics.transfer.pretrained import BACKBONES, plan_weights

STRATEGIES = ("feature", "finetune", "scratch")
CHEAP_SCRATCH_BACKBONES = ("mobilenet_025", "builtin_cnn")  # a reference run costs seconds
THUMBNAIL = 96
SOURCE_PARAMS: dict = {}  # our own pretraining (topic transfer_source); tests make it tiny

SCHEMA = Schema((
    Param("dataset", "str", "ants_bees", "Ants vs bees when available (else built-in shapes); "
          "ignored when you bring your own classes", choices=("ants_bees", "builtin")),
    Param("backbone", "str", "mobilenet_025", "Pretrained network under the new head",
          choices=tuple(BACKBONES)),
    Param("strategy", "str", "feature", "From scratch, feature extraction (frozen backbone) or "
          "fine-tuning (then unfreeze the top layers)", choices=STRATEGIES),
    Param("image_size", "int", 224, "Input size in pixels (images are centre-cropped to a square)",
          choices=(96, 128, 160, 224)),
    Param("epochs", "int", 10, "Epochs of training (the head's, for feature extraction and fine-tuning)",
          min=1, max=30),
    Param("head_lr", "float", 0.01, "Adam learning rate for the head (and for training from scratch)",
          min=0.0001, max=0.1, log=True),
    Param("finetune_layers", "int", 20, "N: backbone layers unfrozen for fine-tuning, counted from "
          "the top (BatchNorm layers stay frozen)", min=1, max=150),
    Param("finetune_epochs", "int", 4, "Extra epochs of fine-tuning", min=1, max=20),
    Param("finetune_lr", "float", 0.00001, "Low learning rate for fine-tuning", min=0.000001,
          max=0.001, log=True),
    Param("augment", "bool", False, "Random flips, rotations and zooms while training "
          "(features cannot be cached then)"),
    Param("train_per_class", "int", 1000, "At most this many training images per class: "
          "fewer shows what pretraining buys", min=2, max=1000),
    Param("batch_size", "int", 32, "Images per gradient step", choices=(16, 32, 64)),
))

# What defines the images and the network; the rest only says how to train.
DATA_PARAMS = ("dataset", "backbone", "image_size", "train_per_class", "batch_size", "augment")
UNUSED_BY = {"scratch": ("finetune_layers", "finetune_epochs", "finetune_lr"),
             "feature": ("finetune_layers", "finetune_epochs", "finetune_lr")}


def strategy_params(params: dict, strategy: str) -> dict:
    """`params` for another strategy, with settings that strategy ignores reset to defaults
    (so the same run is not trained twice under two keys)."""
    out = dict(SCHEMA.canonical(params), strategy=strategy)
    for name in UNUSED_BY.get(strategy, ()):
        out[name] = SCHEMA.get(name).default
    return out


def scratch_reference(params: dict) -> dict:
    """The from-scratch run that `scratch_val_accuracy` comes from: same images and network,
    default training settings, so changing a learning rate does not retrain it."""
    base = {name: params[name] for name in DATA_PARAMS}
    return strategy_params(base, "scratch")


def source_key() -> str:
    from dl_core.keys import resolve

    return resolve("transfer_source", SOURCE_PARAMS).key


def dataset_fingerprint(params: dict, data: str | None) -> str:
    target = find_target(params["dataset"], data)
    plan = plan_weights(params["backbone"], params["strategy"], source_key())
    return f"{target.fingerprint}|{plan.backbone}|{plan.identity}"


def _backbone_factory(plan, image_size: int, ctx: TrainContext):
    def make():
        from dl_core.models.transfer import build_small_cnn
        from dl_core.topics.transfer.pretrained import build_backbone

        if plan.backbone != "builtin_cnn":
            return build_backbone(plan.backbone, image_size, pretrained=plan.source == "imagenet")
        if plan.source == "none":
            return build_small_cnn()
        # Our own pretrained CNN: the engine trains it first if this machine never did.
        return source_backbone(ctx.require("transfer_source", SOURCE_PARAMS))
    return make


def source_backbone(source):
    """The backbone of our own pretrained CNN, from its `transfer_source` cache entry."""
    import keras

    return keras.saving.load_model(source.model_path, compile=False).get_layer("backbone")


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.topics.transfer.features import feature_key
    from dl_core.topics.transfer.strategies import STRATEGIES as RUNNERS
    from dl_core.topics.transfer.strategies import Run, pooled_model

    target = find_target(params["dataset"], data)
    images = load_target(target, params["image_size"], params["train_per_class"])
    plan = plan_weights(params["backbone"], params["strategy"], source_key())
    run = Run(params, images.x_train, images.y_train, images.x_val, images.y_val, len(images.labels),
              BACKBONES[plan.backbone].preprocess, _backbone_factory(plan, params["image_size"], ctx),
              feature_key(target=target.fingerprint, weights=plan.identity, backbone=plan.backbone,
                          size=params["image_size"], per_class=params["train_per_class"]), ctx)
    ctx.plan(*_stage_plan(params, data, plan, run, ctx))
    if plan.source == "builtin-pretrained":  # trained now, as the first stage, if never before
        ctx.require("transfer_source", SOURCE_PARAMS, stage=stages.PRETRAIN)
    model = RUNNERS[params["strategy"]](run)
    reference = _scratch_reference_run(params, data, plan.backbone, ctx)

    ctx.begin(stages.RESULTS)
    if run.val_outputs is not None:
        embeddings, probabilities = run.val_outputs
    else:
        both = keras.Model(model.inputs, [pooled_model(model).output, model.output])
        embeddings, probabilities = both.predict(images.x_val.astype(np.float32), batch_size=32, verbose=0)
    predicted = probabilities.argmax(axis=1)
    val_accuracy = float(np.mean(predicted == images.y_val))
    metrics = {"val_accuracy": val_accuracy, "backbone": plan.backbone, "weights_source": plan.source}
    if _is_own_reference(params):
        metrics["scratch_val_accuracy"] = val_accuracy
    elif reference is not None:
        metrics["scratch_val_accuracy"] = float(reference.metrics["val_accuracy"])

    from dl_core.data.image_folders import thumbnails
    from dl_core.topics.transfer.metrics import pca_2d

    points, ratio = pca_2d(embeddings)
    artifacts = {"val_thumbnails": thumbnails(images.x_val, THUMBNAIL), "val_labels": images.y_val,
                 "val_predicted": predicted, "val_probabilities": probabilities.astype(np.float32),
                 "embedding_2d": points, "embedding_variance": ratio}
    info = {"labels": list(images.labels), "weights_note": plan.note, "skipped": images.skipped[:50],
            "skipped_count": len(images.skipped), "backbone_title": BACKBONES[plan.backbone].title,
            "asked_backbone": params["backbone"], **run.facts}
    return TrainResult(model, metrics, run.history, images.info, [], artifacts, info)


def _is_own_reference(params: dict) -> bool:
    """This run is itself the from-scratch reference (same images, default training settings)."""
    return params["strategy"] == "scratch" and scratch_reference(params) == params


def _scratch_reference_run(params: dict, data: str | None, backbone: str, ctx: TrainContext):
    """The from-scratch reference's cache entry: cached, or trained now when it is cheap; None
    when it is this run itself or too dear to train as a side job."""
    if _is_own_reference(params):
        return None
    reference = scratch_reference(params)
    entry = ctx.cached("transfer", reference, data)
    if entry is None and backbone in CHEAP_SCRATCH_BACKBONES:
        entry = ctx.require("transfer", reference, data, stage=stages.SCRATCH)
    return entry


def _scratch_epochs_needed(params: dict, data: str | None, backbone: str,
                           ctx: TrainContext) -> int | None:
    """The comparison's epochs, when `_scratch_reference_run` will have to train it now."""
    if _is_own_reference(params) or backbone not in CHEAP_SCRATCH_BACKBONES:
        return None
    reference = scratch_reference(params)
    return None if ctx.cached("transfer", reference, data) else reference["epochs"]


def _stage_plan(params: dict, data: str | None, plan, run, ctx: TrainContext) -> list:
    from dl_core.topics.transfer import source
    from dl_core.topics.transfer.features import features_cached

    pretrain = None
    if plan.source == "builtin-pretrained" and ctx.cached("transfer_source", SOURCE_PARAMS) is None:
        settings = source.SCHEMA.canonical(SOURCE_PARAMS)
        pretrain = (source.source_image_count(settings), source.IMAGE_SIZE, settings["epochs"])
    return stages.transfer_plan(params, len(run.x_train), len(run.x_val), pretrain=pretrain,
                                features_needed=not features_cached(run.feature_key),
                                scratch_epochs=_scratch_epochs_needed(params, data, plan.backbone, ctx))


def explain(model_path, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Grad-CAM heatmap, class probabilities) for one image at the model's input size."""
    import dl_core.models.transfer  # noqa: F401 - registers ImagenetPreprocess for loading
    from dl_core.inference import load_shared
    from dl_core.topics.transfer.gradcam import grad_cam

    shared = load_shared(model_path)
    with shared.lock:
        return grad_cam(shared.model, image)


TOPIC = TopicSpec(
    name="transfer",
    title="Transfer learning",
    summary="Pretrained backbone vs random init; feature extraction vs fine-tuning; Grad-CAM.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help="a folder of class subfolders (or train/ and val/ of them), or a zip of one",
    gpu=True,
)

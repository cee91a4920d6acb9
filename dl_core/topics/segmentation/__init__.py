"""Segmentation topic: a U-Net labels every pixel as pet (object), background or border.

Loss per pixel: sparse categorical cross-entropy −log p(true class), optionally plus the Dice
loss 1 − mean_c 2·Σ p·y / (Σ p + Σ y). Metrics (dl_core/topics/segmentation/metrics.py):
`val_pixel_accuracy`, `val_mean_iou`, `val_dice`, and `baseline_pixel_accuracy` (and
`baseline_mean_iou`) of always answering the most common training class.

Data: the Oxford-IIIT Pet folder when there is one (dl_core/data/pets.py), else the built-in
scenes (dl_core/data/builtin_scenes.py). Encoder: MobileNet with ImageNet weights when its
weights file is available, else the from-scratch encoder; the page says which was used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dl_core import settings
from dl_core.data import builtin_scenes, download, pets
from dl_core.params import Param, Schema
from dl_core.spec import DatasetInfo, TopicSpec, TrainContext, TrainResult
from dl_core.topics.segmentation.images import preview_grid, resize_mask
from dl_core.topics.segmentation.metrics import majority_baseline, scores

WEIGHTS_FILE = "mobilenet_2_5_224_tf_no_top.h5"
PREVIEW_COUNT = 3
VAL_SHARE = 0.2
SPLIT_SEED = 0

SCHEMA = Schema((
    Param("dataset", "str", "pets", "Oxford-IIIT Pet when its folder is available, else built-in "
          "scenes; 'scenes' always uses the built-in scenes", choices=("pets", "scenes")),
    Param("images", "int", 300, "Images used (80 % train, 20 % validation): the full pet set is "
          "too big for a CPU", min=10, max=4000),
    Param("image_size", "int", 96, "Side of the square input in pixels (multiples of 32, so "
          "every depth halves evenly)", choices=(64, 96, 128, 160)),
    Param("encoder", "str", "pretrained", "MobileNet pretrained on ImageNet (when its weights are "
          "available), or a U-Net encoder trained from scratch", choices=("pretrained", "scratch")),
    Param("fine_tune", "bool", False, "Also train the pretrained encoder (slower; small data can overfit)"),
    Param("depth", "int", 4, "Levels: each one halves the image on the way down", min=2, max=5),
    Param("base_filters", "int", 16, "Filters at full resolution; doubled at every level",
          choices=(8, 16, 32)),
    Param("upsampling", "str", "transposed", "Transposed convolution, or nearest upsampling "
          "followed by a convolution", choices=("transposed", "upsample_conv")),
    Param("skip_connections", "bool", True, "Hand each decoder level the encoder's features of "
          "the same size (off: a plain encoder-decoder)"),
    Param("loss", "str", "cross_entropy+dice", "Per-pixel cross-entropy, optionally plus Dice",
          choices=("cross_entropy", "cross_entropy+dice")),
    Param("augment", "bool", True, "Random horizontal flips and crops of the training images"),
    Param("epochs", "int", 15, "Passes over the training images", min=1, max=40),
    Param("learning_rate", "float", 0.002, "Adam step size", min=0.0001, max=0.01, log=True),
    Param("batch_size", "int", 16, "Images per gradient step", choices=(4, 8, 16, 32)),
))


@dataclass
class SegmentationData:
    x_train: np.ndarray  # float32 N×S×S×3 in [0, 1]
    y_train: np.ndarray  # uint8 N×S×S classes
    x_val: np.ndarray
    y_val: np.ndarray
    info: DatasetInfo


# --- where data and weights come from ------------------------------------------------------

def pets_folder(params: dict, data: str | None) -> Path | None:
    """The pets folder to read, or None for the built-in scenes (always, for dataset=scenes)."""
    return pets.find_pets_dir(data) if params["dataset"] == "pets" else None


def weights_file() -> Path | None:
    """MobileNet's ImageNet weights in $KERAS_HOME/models (read now, not when Keras was imported)."""
    path = settings.keras_home() / "models" / WEIGHTS_FILE
    return path if path.is_file() else None


def weights_source(params: dict) -> str | None:
    """A weights file path, "imagenet" (Keras downloads it: only when online), or None."""
    if params["encoder"] != "pretrained":
        return None
    found = weights_file()
    if found is not None:
        return str(found)
    return "imagenet" if download.online() else None


def dataset_fingerprint(params: dict, data: str | None) -> str:
    folder = pets_folder(params, data)
    source = pets.fingerprint(folder) if folder else f"builtin-scenes-v{builtin_scenes.VERSION}"
    weights = weights_source(params)
    if weights and weights != "imagenet":
        weights = f"file:{download.file_sha256(Path(weights))[:16]}"
    return f"{source}|weights:{weights or 'none'}"


def load_data(params: dict, data: str | None = None) -> SegmentationData:
    size, count = params["image_size"], params["images"]
    folder = pets_folder(params, data)
    if folder is not None:
        loaded = pets.load_pets(folder, count, size, seed=SPLIT_SEED)
        images, masks = loaded.images, loaded.masks
        name, origin, note = "Oxford-IIIT Pet", "real", _skipped_note(loaded.skipped)
    else:
        images, masks = builtin_scenes.generate(count, size)
        name, origin = "built-in scenes", "builtin"
        reason = ("No Oxford-IIIT Pet folder was found (set DL_LAB_PETS_DIR or pass --data), so "
                  if params["dataset"] == "pets" else "You chose the built-in scenes: ")
        note = reason + ("these are DL Lab's generated scenes: spotted, rounded objects on "
                         "striped, cluttered backgrounds, with masks like the pets trimaps "
                         "(object, background, border band).")
    n_val = max(2, int(round(count * VAL_SHARE)))
    x = images.astype(np.float32) / 255.0
    info = DatasetInfo(name, origin, count - n_val, n_val, dataset_fingerprint(params, data), note)
    return SegmentationData(x[n_val:], masks[n_val:], x[:n_val], masks[:n_val], info)


def _skipped_note(skipped: list[str]) -> str:
    if not skipped:
        return ""
    shown = "; ".join(skipped[:3]) + ("; …" if len(skipped) > 3 else "")
    return f"{len(skipped)} file(s) were left out: {shown}"


# --- model and training ----------------------------------------------------------------------

def effective_encoder(params: dict) -> str:
    return "mobilenet" if weights_source(params) else "scratch"


def build_model(params: dict):
    from dl_core.models.unet import build_mobilenet_unet, build_unet

    common = dict(image_size=params["image_size"], depth=params["depth"],
                  base_filters=params["base_filters"], upsampling=params["upsampling"],
                  skip_connections=params["skip_connections"])
    weights = weights_source(params)
    if weights:
        return build_mobilenet_unet(weights=weights, train_encoder=params["fine_tune"], **common)
    return build_unet(**common)


def encoder_note(params: dict) -> str:
    if params["encoder"] == "scratch":
        return "The encoder was trained from scratch (random initial weights)."
    if weights_source(params):
        return "The encoder is MobileNet (α = 0.25) with ImageNet weights" + (
            ", fine-tuned here." if params["fine_tune"] else ", kept frozen: only the decoder learns.")
    return (f"MobileNet's ImageNet weights ({WEIGHTS_FILE}) are not in $KERAS_HOME/models and "
            "there is no internet connection, so the encoder was trained from scratch instead.")


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.topics.segmentation.training import (
        AugmentedBatches,
        ValidationScores,
        loss_for,
        predict_masks,
    )
    from dl_core.training import ProgressCallback

    sets = load_data(params, data)
    model = build_model(params)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]),
                  loss=loss_for(params["loss"]), metrics=["accuracy"])

    shown = slice(0, PREVIEW_COUNT)

    def preview(m):
        return preview_grid(sets.x_val[shown], sets.y_val[shown], predict_masks(m, sets.x_val[shown]))

    batches = AugmentedBatches(sets.x_train, sets.y_train, params["batch_size"], seed=SPLIT_SEED,
                               augment=params["augment"])
    progress = ProgressCallback(ctx, params["epochs"], len(batches), preview)
    model.fit(batches, epochs=params["epochs"], verbose=0,
              callbacks=[ValidationScores(sets.x_val, sets.y_val, params["loss"]), progress])

    final = scores(sets.y_val, predict_masks(model, sets.x_val))
    baseline = majority_baseline(sets.y_train, sets.y_val)
    metrics = {f"val_{name}": value for name, value in final.items()}
    metrics.update(baseline_pixel_accuracy=baseline["pixel_accuracy"],
                   baseline_mean_iou=baseline["mean_iou"])
    encoder = effective_encoder(params)
    info = {"encoder": encoder, "encoder_note": encoder_note(params),
            "builder": "build_mobilenet_unet" if encoder == "mobilenet" else "build_unet",
            "model_module": "dl_core/models/unet.py", "parameters": int(model.count_params()),
            "preview_count": PREVIEW_COUNT}
    return TrainResult(model, metrics, progress.history, sets.info, progress.previews, {}, info)


def predict_mask(model_path, image: np.ndarray, image_size: int) -> np.ndarray:
    """Classes for an RGB uint8 photo of any size: resized to the model's input, mask resized back."""
    from PIL import Image

    from dl_core.inference import load_shared

    rgb = np.asarray(image)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=-1)
    rgb = rgb[..., :3].astype(np.uint8)
    small = np.asarray(Image.fromarray(rgb).resize((image_size, image_size), Image.BILINEAR))
    probabilities = load_shared(model_path)(small[None].astype(np.float32) / 255.0)
    mask = np.argmax(probabilities[0], axis=-1).astype(np.uint8)
    return resize_mask(mask, rgb.shape[1], rgb.shape[0])


TOPIC = TopicSpec(
    name="segmentation",
    title="Segmentation (U-Net)",
    summary="A U-Net labels every pixel as pet, background or border; watch the masks epoch by epoch.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help="a folder in the Oxford-IIIT Pet layout: images/*.jpg and annotations/trimaps/*.png",
    gpu=True,
)

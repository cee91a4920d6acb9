"""Where a backbone's starting weights come from: ImageNet, our own pretraining, or nowhere.

Keras loads ImageNet weights from `$KERAS_HOME/models/<file>` when the file is there and only
downloads it otherwise. We decide *before* calling Keras: the file is present → "imagenet";
absent but online → "imagenet" (Keras downloads it once); absent and offline → our small CNN
pretrained on the built-in shapes ("builtin-pretrained"), and the page says so. Deciding here,
without importing Keras, lets the cache key name the weights actually used.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from dl_core import settings
from dl_core.data import download

WEIGHTS_SIZE = 224  # the weights files we use; conv weights do not depend on the input size


@dataclass(frozen=True)
class BackboneSpec:
    title: str
    application: str | None  # keras.applications constructor, None for our own CNN
    kwargs: tuple  # extra constructor arguments, as (name, value) pairs
    weights_file: str | None
    preprocess: str  # ImagenetPreprocess mode


BACKBONES = {
    "mobilenet_025": BackboneSpec("MobileNet (α = 0.25)", "MobileNet", (("alpha", 0.25),),
                                  "mobilenet_2_5_224_tf_no_top.h5", "tf"),
    "mobilenetv2": BackboneSpec("MobileNetV2", "MobileNetV2", (("alpha", 1.0),),
                                "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5", "tf"),
    "resnet50": BackboneSpec("ResNet50", "ResNet50", (),
                             "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "caffe"),
    "builtin_cnn": BackboneSpec("DL Lab small CNN", None, (), None, "unit"),
}


@dataclass(frozen=True)
class WeightsPlan:
    backbone: str  # the backbone actually built (may differ from the one asked for)
    source: str  # "imagenet" | "builtin-pretrained" | "none"
    identity: str  # goes into the cache key
    note: str = ""


def keras_models_dir() -> Path:
    """Where Keras looks for weights files. Keras reads KERAS_HOME once, when it is imported,
    so in a process that already imported it we ask Keras rather than the environment."""
    config = sys.modules.get("keras.src.backend.config")
    home = getattr(config, "keras_home", None)
    if home is not None:
        return Path(home()) / "models"
    return settings.keras_home() / "models"


def weights_path(backbone: str) -> Path | None:
    """The ImageNet weights file if it is already in $KERAS_HOME/models, else None."""
    name = BACKBONES[backbone].weights_file
    if name is None:
        return None
    path = keras_models_dir() / name
    return path if path.is_file() else None


def plan_weights(backbone: str, strategy: str, source_identity: str) -> WeightsPlan:
    """`source_identity`: the cache key of our own pretrained CNN (the fallback)."""
    if backbone not in BACKBONES:
        raise ValueError(f"backbone {backbone!r} is not one of {', '.join(BACKBONES)}")
    if strategy == "scratch":
        if backbone != "builtin_cnn" and weights_path(backbone) is None and not download.online():
            # Compare like with like: the pretrained runs fall back to the small CNN, so does this.
            return WeightsPlan("builtin_cnn", "none", "random",
                               f"No ImageNet weights for {BACKBONES[backbone].title} here: the "
                               "from-scratch run uses the same small CNN as the offline fallback.")
        return WeightsPlan(backbone, "none", "random")
    if backbone == "builtin_cnn":
        return WeightsPlan(backbone, "builtin-pretrained", f"builtin:{source_identity}",
                           "Our small CNN was pretrained by DL Lab on its built-in shapes and textures.")
    path = weights_path(backbone)
    if path is not None:
        return WeightsPlan(backbone, "imagenet", f"imagenet:{download.file_sha256(path)[:16]}")
    if download.online():
        return WeightsPlan(backbone, "imagenet", f"imagenet:{BACKBONES[backbone].weights_file}")
    title = BACKBONES[backbone].title
    return WeightsPlan("builtin_cnn", "builtin-pretrained", f"builtin:{source_identity}",
                       f"No ImageNet weights for {title} could be had: the file "
                       f"{BACKBONES[backbone].weights_file} is not in Keras's models folder on this "
                       "server (`$KERAS_HOME/models`, see the README) and this "
                       "machine is offline. So DL Lab pretrained its own small CNN once on many "
                       "classes of built-in shapes and textures, and transfers that instead.")


def build_backbone(backbone: str, image_size: int, pretrained: bool):
    """A keras.applications backbone named "backbone"; ImageNet weights when `pretrained`.

    Weights files exist for a few input sizes only; convolution weights do not depend on the
    input size, so for other sizes we load the 224-pixel file and copy its weights over.
    """
    import keras

    spec = BACKBONES[backbone]
    constructor = getattr(keras.applications, spec.application)
    kwargs = dict(spec.kwargs, include_top=False)
    shape = (image_size, image_size, 3)
    if not pretrained:
        model = constructor(weights=None, input_shape=shape, **kwargs)
        for layer in model.layers:  # see build_small_cnn: few steps, so faster moving statistics
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.momentum = 0.9
    elif image_size == WEIGHTS_SIZE:
        model = constructor(weights="imagenet", input_shape=shape, **kwargs)
    else:
        reference = constructor(weights="imagenet", input_shape=(WEIGHTS_SIZE, WEIGHTS_SIZE, 3), **kwargs)
        model = constructor(weights=None, input_shape=shape, **kwargs)
        model.set_weights(reference.get_weights())
    return keras.Model(model.input, model.output, name="backbone")

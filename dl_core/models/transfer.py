"""Image classifiers for transfer learning: image → preprocess → backbone → pool → logits → softmax.

The backbone is a nested model named "backbone" (a `keras.applications` network or our small
CNN), so the topic can freeze it, unfreeze its top layers, and read its feature maps for
Grad-CAM and the feature-space view. Inputs are raw pixel values in [0, 255]; each backbone's
own preprocessing is a layer inside the model, so a downloaded model needs nothing else.
"""

import keras
from keras import layers, ops

CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


@keras.saving.register_keras_serializable(package="dl_lab")
class ImagenetPreprocess(layers.Layer):
    """The backbone's expected input: "tf" x/127.5 − 1, "caffe" BGR minus the ImageNet mean,
    "unit" x/255 (our own CNN)."""

    def __init__(self, mode: str = "tf", **kwargs):
        super().__init__(**kwargs)
        if mode not in ("tf", "caffe", "unit"):
            raise ValueError(f"preprocess mode {mode!r} is not one of tf, caffe, unit")
        self.mode = mode

    def call(self, x):
        x = ops.cast(x, "float32")
        if self.mode == "tf":
            return x / 127.5 - 1.0
        if self.mode == "unit":
            return x / 255.0
        return ops.flip(x, axis=-1) - ops.convert_to_tensor(CAFFE_MEAN_BGR, dtype="float32")

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


def build_small_cnn(work_size: int = 64) -> keras.Model:
    """Our own backbone: four conv blocks. Any input size is resized to `work_size` first, so
    features learned on 64-pixel source images keep their scale on any target size.
    BatchNorm momentum 0.9 (Keras: 0.99): small runs take few steps, and the moving statistics
    used at validation must catch up with the batch statistics within them."""
    inputs = keras.Input(shape=(None, None, 3), name="pixels")
    x = layers.Resizing(work_size, work_size, name="resize")(inputs)
    for index, filters in enumerate((32, 64, 96, 128)):
        x = layers.Conv2D(filters=filters, kernel_size=3, padding="same", use_bias=False,
                          name=f"conv{index + 1}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{index + 1}")(x)
        x = layers.Activation("relu", name=f"relu{index + 1}")(x)
        if index < 3:
            x = layers.MaxPooling2D(pool_size=2, name=f"pool{index + 1}")(x)
    return keras.Model(inputs, x, name="backbone")


def build_transfer_classifier(backbone: keras.Model, num_classes: int, image_size: int,
                              preprocess: str, bn_inference: bool = True) -> keras.Model:
    """Put a new head on `backbone`.

    bn_inference=True calls the backbone with training=False: its BatchNormalization layers
    keep using the moving mean and variance learned in pretraining, even when some of its
    layers are unfrozen for fine-tuning. From scratch (False) they must learn their statistics.
    """
    inputs = keras.Input(shape=(image_size, image_size, 3), name="image")
    x = ImagenetPreprocess(preprocess, name="preprocess")(inputs)
    features = backbone(x, training=False) if bn_inference else backbone(x)
    pooled = layers.GlobalAveragePooling2D(name="pool")(features)
    logits = layers.Dense(units=num_classes, name="logits")(pooled)
    outputs = layers.Activation("softmax", name="probabilities")(logits)
    return keras.Model(inputs, outputs, name="transfer_classifier")


def build_head(feature_dim: int, num_classes: int) -> keras.Model:
    """The same head on cached, already pooled backbone features: training it takes seconds."""
    features = keras.Input(shape=(feature_dim,), name="pooled_features")
    logits = layers.Dense(units=num_classes, name="logits")(features)
    outputs = layers.Activation("softmax", name="probabilities")(logits)
    return keras.Model(features, outputs, name="head")


def build_augmentation(seed: int = 0) -> keras.Sequential:
    """Random flips, small rotations and zooms: only while training, never at prediction."""
    return keras.Sequential([
        layers.RandomFlip("horizontal", seed=seed),
        layers.RandomRotation(0.08, seed=seed),
        layers.RandomZoom(0.15, seed=seed),
    ], name="augmentation")

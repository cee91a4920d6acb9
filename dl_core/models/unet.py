"""U-Nets for 3-class masks: an encoder that halves the image level by level, a decoder that
doubles it back, and skip connections that hand each decoder level the encoder's features of the
same size (the full-resolution detail the bottleneck has lost).

Two encoders share one decoder:
- `build_unet`: trained from scratch, two 3×3 convolutions per level and 2×2 max pooling;
- `build_mobilenet_unet`: a pretrained keras.applications.MobileNet (as in the TensorFlow
  segmentation tutorial), tapped at strides 2, 4, 8, 16 and 32.

Layers named `enc_<i>`, `bottleneck`, `up_<i>` and `dec_<i>` are the ones the page draws; their
shapes are computed independently by dl_core/topics/segmentation/shapes.py and checked against these models.
"""

import keras
from keras import layers

# MobileNet layers whose outputs have stride 2, 4, 8, 16, 32 (levels 1..5).
MOBILENET_TAPS = ("conv_pw_1_relu", "conv_pw_3_relu", "conv_pw_5_relu", "conv_pw_11_relu",
                  "conv_pw_13_relu")


def conv_block(x, filters: int, name: str):
    """Two 3×3 'same' convolutions with batch normalisation: the U-Net's basic unit."""
    for index in (1, 2):
        x = layers.Conv2D(filters=filters, kernel_size=3, padding="same", use_bias=False,
                          name=f"{name}_conv{index}")(x)
        # momentum 0.9: with a few hundred images an epoch is ~15 steps, and the default 0.99
        # would leave the inference-time statistics lagging for many epochs.
        x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn{index}")(x)
        x = layers.Activation("relu", name=name if index == 2 else f"{name}_relu{index}")(x)
    return x


def upsample(x, filters: int, mode: str, name: str):
    """Double the height and width: a learned transposed convolution, or copy-then-convolve."""
    if mode == "transposed":
        return layers.Conv2DTranspose(filters=filters, kernel_size=3, strides=2, padding="same",
                                      activation="relu", name=name)(x)
    x = layers.UpSampling2D(size=2, interpolation="nearest", name=f"{name}_repeat")(x)
    return layers.Conv2D(filters=filters, kernel_size=3, padding="same", activation="relu", name=name)(x)


def decoder(bottom, skips: list, base_filters: int, upsampling: str, skip_connections: bool,
            num_classes: int):
    """From the bottleneck up to full resolution; `skips[i]` has the size of level i."""
    x = bottom
    for level in reversed(range(len(skips))):
        filters = base_filters * 2 ** level
        x = upsample(x, filters, upsampling, name=f"up_{level}")
        if skip_connections:
            x = layers.Concatenate(name=f"skip_{level}")([x, skips[level]])
        x = conv_block(x, filters, name=f"dec_{level}")
    return layers.Conv2D(filters=num_classes, kernel_size=1, activation="softmax", name="mask")(x)


def build_unet(image_size: int = 128, depth: int = 4, base_filters: int = 16,
               upsampling: str = "transposed", skip_connections: bool = True,
               num_classes: int = 3) -> keras.Model:
    """Classic U-Net trained from scratch; input pixels in [0, 1]."""
    _check(image_size, depth, upsampling)
    inputs = keras.Input(shape=(image_size, image_size, 3), name="image")
    x, skips = inputs, []
    for level in range(depth):
        x = conv_block(x, base_filters * 2 ** level, name=f"enc_{level}")
        skips.append(x)
        x = layers.MaxPooling2D(pool_size=2, name=f"pool_{level}")(x)
    bottom = conv_block(x, base_filters * 2 ** depth, name="bottleneck")
    outputs = decoder(bottom, skips, base_filters, upsampling, skip_connections, num_classes)
    return keras.Model(inputs, outputs, name="unet" if skip_connections else "encoder_decoder")


def build_mobilenet_unet(image_size: int = 128, depth: int = 4, base_filters: int = 16,
                         upsampling: str = "transposed", skip_connections: bool = True,
                         num_classes: int = 3, weights: str | None = None,
                         train_encoder: bool = False) -> keras.Model:
    """U-Net whose encoder is MobileNet (alpha 0.25); `weights` is a path to its ImageNet file."""
    _check(image_size, depth, upsampling)
    # Built for any input size, so Keras reads the 224-pixel weights file: convolution weights
    # do not depend on the image size.
    backbone = keras.applications.MobileNet(input_shape=(None, None, 3), alpha=0.25,
                                            include_top=False, weights=weights)
    taps = [backbone.get_layer(name).output for name in MOBILENET_TAPS[:depth]]
    encoder = keras.Model(backbone.input, taps, name="mobilenet_encoder")
    encoder.trainable = train_encoder

    inputs = keras.Input(shape=(image_size, image_size, 3), name="image")
    scaled = layers.Rescaling(scale=2.0, offset=-1.0, name="to_minus1_1")(inputs)  # MobileNet's range
    features = encoder(scaled, training=False)  # BatchNorm statistics stay ImageNet's
    features = features if isinstance(features, (list, tuple)) else [features]
    full = conv_block(inputs, base_filters, name="enc_0")  # full-resolution detail for the last skip
    named = [layers.Identity(name=f"enc_{level}")(f) for level, f in enumerate(features[:-1], start=1)]
    bottom = layers.Identity(name="bottleneck")(features[-1])
    outputs = decoder(bottom, [full] + named, base_filters, upsampling, skip_connections, num_classes)
    name = "mobilenet_unet" if skip_connections else "mobilenet_encoder_decoder"
    return keras.Model(inputs, outputs, name=name)


def _check(image_size: int, depth: int, upsampling: str) -> None:
    if not 1 <= depth <= 5:
        raise ValueError(f"depth={depth}: expected 1 to 5 levels")
    if image_size % 2 ** depth:
        raise ValueError(f"image_size={image_size} cannot be halved {depth} times evenly: "
                         f"choose a multiple of {2 ** depth} or a smaller depth")
    if upsampling not in ("transposed", "upsample_conv"):
        raise ValueError(f"upsampling={upsampling!r}: expected 'transposed' or 'upsample_conv'")

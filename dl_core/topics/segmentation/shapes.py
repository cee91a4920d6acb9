"""The U-Net level by level: tensor shapes computed with dl_core.conv.arithmetic, not by Keras.

The page draws these rows; tests/test_segmentation.py checks each one against the layer of the
same name in the built model, so the drawing cannot drift from what is trained.
"""

from __future__ import annotations

from dataclasses import dataclass

from dl_core.conv.arithmetic import (
    conv_output_size,
    pool_output_size,
    transposed_conv_output_size,
)

# Channels of MobileNet (alpha 0.25) at strides 2, 4, 8, 16, 32: 0.25 × (64, 128, 256, 512, 1024).
MOBILENET_CHANNELS = (16, 32, 64, 128, 256)


@dataclass(frozen=True)
class Level:
    name: str  # the Keras layer name in dl_core/models/unet.py
    part: str  # "encoder" | "bottleneck" | "decoder" | "output"
    level: int  # 0 = full resolution; level i is 2**i times smaller
    size: int  # height = width
    channels: int
    operation: str  # what produced this tensor, for the drawing

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.size, self.size, self.channels)


def _same_conv(size: int) -> int:
    return conv_output_size(size, kernel_size=3, padding="same", stride=1)


def _mobilenet_halve(size: int, first: bool) -> int:
    """MobileNet's stride-2 steps: a 'same' 3×3 conv first, later ZeroPadding((0,1),(0,1)) + 'valid'."""
    if first:
        return conv_output_size(size, kernel_size=3, padding="same", stride=2)
    return conv_output_size(size + 1, kernel_size=3, padding="valid", stride=2)  # +1: the one-sided pad


def encoder_levels(image_size: int, depth: int, base_filters: int, encoder: str) -> list[Level]:
    """Encoder levels 0..depth-1 (the skip sources) and the bottleneck at level `depth`."""
    rows = [Level("enc_0", "encoder", 0, _same_conv(_same_conv(image_size)), base_filters,
                  "2 × conv 3×3 'same'")]
    size = image_size
    for level in range(1, depth + 1):
        if encoder == "mobilenet":
            size = _mobilenet_halve(size, first=level == 1)
            channels, operation = MOBILENET_CHANNELS[level - 1], "MobileNet blocks, stride 2"
        else:
            size = _same_conv(_same_conv(pool_output_size(size, pool_size=2)))
            channels, operation = base_filters * 2 ** level, "max-pool 2×2, 2 × conv 3×3"
        part, name = ("bottleneck", "bottleneck") if level == depth else ("encoder", f"enc_{level}")
        rows.append(Level(name, part, level, size, channels, operation))
    return rows


def unet_levels(image_size: int, depth: int, base_filters: int, encoder: str = "scratch",
                upsampling: str = "transposed", skip_connections: bool = True,
                num_classes: int = 3) -> list[Level]:
    """Every drawn tensor, from the input down to the bottleneck and back up to the mask."""
    if encoder not in ("scratch", "mobilenet"):
        raise ValueError(f"encoder={encoder!r}: expected 'scratch' or 'mobilenet'")
    rows = [Level("image", "input", 0, image_size, 3, "input")]
    rows += encoder_levels(image_size, depth, base_filters, encoder)
    size = rows[-1].size
    for level in reversed(range(depth)):
        filters = base_filters * 2 ** level
        if upsampling == "transposed":
            size = transposed_conv_output_size(size, kernel_size=3, padding="same", stride=2,
                                               output_padding=None)
            operation = "Conv2DTranspose 3×3, stride 2"
        else:
            size = _same_conv(2 * size)  # UpSampling2D repeats each pixel 2×2, then a 3×3 conv
            operation = "UpSampling2D ×2, conv 3×3"
        rows.append(Level(f"up_{level}", "decoder", level, size, filters, operation))
        merged = "concatenate skip, " if skip_connections else ""
        size = _same_conv(_same_conv(size))
        rows.append(Level(f"dec_{level}", "decoder", level, size, filters,
                          f"{merged}2 × conv 3×3"))
    rows.append(Level("mask", "output", 0, size, num_classes, "conv 1×1, softmax"))
    return rows

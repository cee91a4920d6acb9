"""One MLP with every regulariser the course teaches: L1 / L2 (elastic net), dropout, BatchNorm.

    pixels (784) → [Dense(width) → ReLU → Dropout(rate)] × depth → Dense(classes, softmax)

- `l1`, `l2`: `keras.regularizers.L1L2(l1, l2)` on every Dense kernel (biases are left free), so
  the loss fit() minimises is cross-entropy + l1·Σ|w| + l2·Σw² over all kernels (both > 0: the
  elastic net).
- `dropout`: a Dropout layer after each hidden activation (never after the output); active only
  in training, Keras scales the kept units by 1/(1 − rate) so inference needs no change.
- `batchnorm`: Dense (no activation, no bias: BatchNormalization's β replaces it) →
  BatchNormalization "bn_i" → ReLU, i.e. BN after the dense layer and before the activation.

He initialisation (Var w = 2/fan_in) on every hidden kernel, since the hidden units are ReLUs.
Layer names: "dense_1".."dense_<depth>", "bn_i", "relu_i", "dropout_i", then "output".
"""

from __future__ import annotations

import keras
from keras import layers


def build_regularised_mlp(inputs: int = 784, classes: int = 10, width: int = 128, depth: int = 2,
                          l1: float = 0.0, l2: float = 0.0, dropout: float = 0.0,
                          batchnorm: bool = False) -> keras.Model:
    if depth < 1 or width < 1:
        raise ValueError(f"depth={depth}, width={width}: expected at least one hidden layer of "
                         "at least one unit")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout={dropout}: expected a rate from 0 to below 1")
    if l1 < 0 or l2 < 0:
        raise ValueError(f"l1={l1}, l2={l2}: expected penalties of 0 or more")

    def penalty():
        return keras.regularizers.L1L2(l1=float(l1), l2=float(l2)) if (l1 or l2) else None

    x = pixels = keras.Input((inputs,), name="pixels")
    for i in range(1, depth + 1):
        if batchnorm:
            x = layers.Dense(width, use_bias=False, kernel_initializer="he_normal",
                             kernel_regularizer=penalty(), name=f"dense_{i}")(x)
            x = layers.BatchNormalization(name=f"bn_{i}")(x)
            x = layers.ReLU(name=f"relu_{i}")(x)
        else:
            x = layers.Dense(width, activation="relu", kernel_initializer="he_normal",
                             kernel_regularizer=penalty(), name=f"dense_{i}")(x)
        if dropout > 0:
            x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    outputs = layers.Dense(classes, activation="softmax", kernel_regularizer=penalty(),
                           name="output")(x)
    return keras.Model(pixels, outputs, name="regularised_mlp")

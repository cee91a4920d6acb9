"""The multilayer perceptron of the playground: features → hidden layers → softmax over classes.

Each hidden layer computes h = φ(x·W + b); the output layer p = softmax(h·W + b), always with one
unit per class (for two classes too, so every dataset reads the same way: p[:, c] is P(class c)).
With no hidden layer the model is logistic (softmax) regression: a linear boundary in the
feature space.

`MyDenseLayer` is the same Dense layer written by hand with `add_weight`, so the course can show
what keras.layers.Dense does; `build_mlp(..., handwritten=True)` builds the network from it.
Written with keras and keras.ops only: it trains on TensorFlow, JAX and PyTorch.
"""

from __future__ import annotations

import keras
from keras import layers

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")
RELU_FAMILY = ("relu", "leaky_relu", "elu", "gelu")


def initializer_for(activation: str) -> str:
    """He (Var w = 2/fan_in) keeps ReLU-like units' signal from halving layer by layer;
    Glorot (Var w = 2/(fan_in + fan_out)) suits the symmetric, saturating ones."""
    return "he_normal" if activation in RELU_FAMILY else "glorot_uniform"


@keras.saving.register_keras_serializable(package="dl_lab")
class MyDenseLayer(keras.layers.Layer):
    """y = activation(x·w + b), exactly what keras.layers.Dense computes, spelled out."""

    def __init__(self, units: int, activation: str | None = None,
                 kernel_initializer: str = "glorot_uniform", kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        self.w = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                 initializer=self.kernel_initializer,
                                 regularizer=self.kernel_regularizer)
        self.b = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.w) + self.b)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.activations.serialize(self.activation),
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer)}


def regulariser(l1: float, l2: float):
    """Adds l1·Σ|w| + l2·Σw² over a kernel to the loss (biases are not penalised); None when both
    are zero, so an unregularised model carries no regulariser at all."""
    if l1 == 0 and l2 == 0:
        return None
    return keras.regularizers.L1L2(l1=float(l1), l2=float(l2))


def build_mlp(inputs: int, hidden: tuple[int, ...], activation: str, classes: int,
              l1: float = 0.0, l2: float = 0.0, dropout: float = 0.0,
              handwritten: bool = False) -> keras.Model:
    """Input of `inputs` features → Dense "hidden_1" … "hidden_L" (`hidden` units each, with
    `activation`, dropout after each when dropout > 0) → Dense "output" softmax over `classes`."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation={activation!r} is not available: use one of "
                         f"{', '.join(ACTIVATIONS)}")
    if inputs < 1 or classes < 2:
        raise ValueError(f"an MLP needs at least 1 input and 2 classes; got inputs={inputs}, "
                         f"classes={classes}")
    dense = MyDenseLayer if handwritten else layers.Dense
    penalty = regulariser(l1, l2)
    x = features = keras.Input(shape=(inputs,), name="features")
    for depth, units in enumerate(hidden, start=1):
        x = dense(units, activation=activation, kernel_initializer=initializer_for(activation),
                  kernel_regularizer=penalty, name=f"hidden_{depth}")(x)
        if dropout > 0:
            x = layers.Dropout(dropout, name=f"dropout_{depth}")(x)
    outputs = dense(classes, activation="softmax", kernel_initializer="glorot_uniform",
                    kernel_regularizer=penalty, name="output")(x)
    return keras.Model(features, outputs, name="mlp")


def dense_layers(model: keras.Model) -> list:
    """The model's weight layers in order: hidden_1 … hidden_L, then output."""
    return [layer for layer in model.layers
            if layer.name.startswith("hidden_") or layer.name == "output"]

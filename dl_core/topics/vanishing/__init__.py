"""Vanishing gradients, measured: how much gradient reaches each layer of a deep MLP.

Back-propagation multiplies one factor W_lᵀ·g′(z_l) per layer on the way down. With the sigmoid,
g′ ≤ 1/4, so under Glorot initialisation the gradient of the first layers is orders of magnitude
smaller than the last one's: they barely learn. ReLU with He initialisation keeps the factors near
1 on average, and BatchNormalization re-centres every layer's input.

The page reads, for each Dense layer l (input side first, the output layer last), the Frobenius
norm ‖∂L/∂W_l‖ of its kernel on one fixed batch, at initialisation and after training, and
  ratio = ‖∂L/∂W_first Dense‖ / ‖∂L/∂W_last Dense (the softmax output layer)‖.
The data: 28×28 digits flattened to 784 inputs (MNIST when available, else DL Lab's built-in
digits, offline), 10 classes.

Measured at the defaults with depth 10, units 32, over seeds 0-3 (TensorFlow): ratio at
initialisation ≈ 1e-6 for the sigmoid (the first layers get almost nothing), ≈ 4-6 for ReLU
with He initialisation and ≈ 4 for tanh. The first layer's norm also counts its 784 × 32
entries against the output layer's 32 × 10, which lifts every ratio alike; the sigmoid's
collapse, four orders of magnitude per few layers, is what no fan size explains.
"""

from __future__ import annotations

from dl_core.data.digits import find_source
from dl_core.params import Param, Schema
from dl_core.spec import TopicSpec

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "relu_bn")

SCHEMA = Schema((
    Param("activation", "str", "sigmoid",
          "Hidden activation; relu_bn = Dense → BatchNormalization → ReLU",
          choices=ACTIVATION_CHOICES),
    Param("depth", "int", 10, "Hidden Dense layers", min=2, max=20),
    Param("units", "int", 32, "Units per hidden layer", min=4, max=128),
    Param("epochs", "int", 5, "Passes over the training set", min=1, max=50),
    Param("learning_rate", "float", 0.001, "Adam step size", min=0.0001, max=0.1, log=True),
    Param("train_size", "int", 2000, "Training images used", min=256, max=60000),
    Param("batch_size", "int", 32, "Examples per gradient step", choices=(16, 32, 64, 128)),
))


def dataset_fingerprint(params: dict, data: str | None) -> str:
    return find_source("digits", data).fingerprint


def train(params: dict, ctx, data: str | None = None):
    from dl_core.topics.vanishing.train import train as run

    return run(params, ctx, data)


TOPIC = TopicSpec(
    name="vanishing",
    title="Vanishing gradients",
    summary="Measure the gradient that reaches each layer of a deep MLP, before and after "
            "training: sigmoid vs tanh vs ReLU vs ReLU + BatchNorm.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help="a Keras-layout mnist.npz (x_train, y_train, x_test, y_test)",
)

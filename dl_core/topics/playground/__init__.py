"""MLP playground (after TensorFlow Playground): a small network classifies 2-D points while the
learner watches its decision surface form, epoch by epoch.

Model: p(c | x) = softmax(W_L·φ(… φ(W_1·f(x) + b_1) …) + b_L), f = the chosen input features.
Loss: cross-entropy −1/N Σ_i log p(y_i | x_i), or MSE 1/(N·k) Σ_i ‖onehot(y_i) − p(·|x_i)‖²,
plus l1·Σ|w| + l2·Σw² over the kernels.

The defaults (one hidden layer of 8 tanh units, Adam at 0.03, 100 epochs of 200 training points)
solve circles and XOR to ≥ 95 % test accuracy in a few seconds on two CPU cores, while no hidden
layer cannot solve XOR and linear units cannot solve circles (tests/topics/playground).
Importing this module does not import Keras (train.py does, inside train()).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dl_core.data.planar import DATASETS, MAX_CLASSES, MAX_ROWS
from dl_core.params import Param, Schema
from dl_core.spec import TopicSpec
from dl_core.topics.playground.training import train

# The same names as dl_core.models.mlp.ACTIVATIONS (a test checks): repeated here so listing
# topics never imports Keras.
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")

SCHEMA = Schema((
    Param("dataset", "str", "circles", "The built-in points to classify (an uploaded CSV replaces them)",
          choices=DATASETS),
    Param("classes", "int", 2, "Number of blobs (the blobs dataset only)", min=2, max=5),
    Param("points", "int", 400, "Points generated, training and test together", min=50, max=5000),
    Param("noise", "float", 0.1, "Jitter of the points: σ = noise / 2 on data in [-1, 1]",
          min=0.0, max=0.5),
    Param("test_ratio", "float", 0.5, "Share of the points held out as the test set",
          min=0.1, max=0.9),
    Param("seed_data", "int", 0, "Which random draw of the points (and of the split)",
          min=0, max=1000),
    Param("features", "str", "x1,x2",
          "Input features, comma-separated: x1,x2,x1^2,x2^2,x1x2,sin_x1,sin_x2"),
    Param("hidden_layers", "int", 1, "Hidden layers (0 = logistic regression)", min=0, max=6),
    Param("units", "int", 8, "Neurons in each hidden layer", min=1, max=32),
    Param("activation", "str", "tanh", "Activation φ of the hidden neurons", choices=ACTIVATIONS),
    Param("loss", "str", "cross_entropy", "Cross-entropy, or MSE between one-hot targets and p",
          choices=("cross_entropy", "mse")),
    Param("optimizer", "str", "adam", "Plain SGD, SGD with momentum 0.9, or Adam",
          choices=("sgd", "momentum", "adam")),
    Param("learning_rate", "float", 0.03, "Step size of the optimizer", min=0.0001, max=1.0,
          log=True),
    Param("batch_size", "int", 32, "Points per gradient step", choices=(8, 16, 32, 64, 128)),
    Param("epochs", "int", 100, "Passes over the training points", min=1, max=500),
    Param("l1", "float", 0.0, "L1 penalty l1·Σ|w| on the weights (pushes weights to exactly 0)",
          min=0.0, max=0.1),
    Param("l2", "float", 0.0, "L2 penalty l2·Σw² on the weights (shrinks them)", min=0.0, max=0.1),
    Param("dropout", "float", 0.0, "Fraction of hidden neurons dropped at each training step",
          min=0.0, max=0.8),
))


def dataset_fingerprint(params: dict, data: str | None) -> str:
    """The built-in points are fixed by the parameters (already in the key); an upload by its
    bytes."""
    if data is None:
        return "planar:builtin:v1"
    return "planar:csv:" + hashlib.sha256(Path(data).read_bytes()).hexdigest()[:16]


TOPIC = TopicSpec(
    name="playground",
    title="MLP playground",
    summary="Train a small MLP on 2-D points and watch its decision boundary form.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help=f"a CSV with the columns x1,x2,label (2 to {MAX_CLASSES} classes, at most "
              f"{MAX_ROWS:,} rows)",
)

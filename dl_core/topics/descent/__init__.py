"""Gradient descent, drawn: the path of a real Keras optimiser over a two-parameter loss surface.

Each problem of dl_core.foundations.descent has exactly two weights (w₁, w₂), so its exact loss
L(w₁, w₂) over the whole data set can be drawn as a surface; this topic trains the problem's
real two-weight Keras model with one of Keras's own optimisers (SGD, SGD with momentum or
Nesterov momentum, RMSprop, Adagrad, Adadelta, Adam) and records where every step lands:

- tips, line  Dense(1) on one input: ŷ = w₁x + w₂ (w₁ the kernel, w₂ the bias), MSE;
- iris        Dense(1, sigmoid, use_bias=False) on two inputs: p = σ(w₁x₁ + w₂x₂), mean BCE;
- tanh        Dense(1, tanh, use_bias=False) → Dense(1, use_bias=False): ŷ = w₂·tanh(w₁x), MSE.

Each step descends the loss of one mini-batch (batch_size examples; 0 = the whole set: plain
gradient descent; 1 = stochastic), drawn in an order fixed by data_seed, the same for every
optimiser so that a comparison is fair. The loss curve the page draws is the exact full-data
loss at each point of the path (computed in numpy), not the noisy mini-batch loss, which is
recorded beside it. A run whose loss explodes stops at the step it diverged.
"""

from __future__ import annotations

from dl_core.foundations.problems import PROBLEMS
from dl_core.params import Param, Schema
from dl_core.spec import TopicSpec

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adadelta", "adam")
SCHEDULES = ("constant", "step", "cosine")

SCHEMA = Schema((
    Param("problem", "str", "tips", "The two-parameter model and its data", choices=PROBLEMS),
    Param("optimizer", "str", "sgd",
          "Keras optimiser: sgd, SGD with momentum, SGD with Nesterov momentum, RMSprop, "
          "Adagrad, Adadelta or Adam", choices=OPTIMIZERS),
    Param("learning_rate", "float", 0.1, "Step size η (the schedule's initial value)",
          min=0.0001, max=10.0, log=True),
    Param("momentum", "float", 0.9, "Momentum α (momentum and nesterov only)", min=0.0, max=0.99),
    Param("batch_size", "int", 0, "Examples per step: 0 = the whole set (gradient descent), "
          "1 = stochastic", min=0, max=256),
    Param("steps", "int", 100, "Optimiser steps", min=1, max=1000),
    Param("start", "str", "problem", "Where the path starts: the problem's own start, or "
          "start_w1, start_w2", choices=("problem", "custom")),
    Param("start_w1", "float", 0.0, "Starting w₁ (start = custom)", min=-50.0, max=50.0),
    Param("start_w2", "float", 0.0, "Starting w₂ (start = custom)", min=-50.0, max=50.0),
    Param("schedule", "str", "constant",
          "Learning-rate schedule: constant; step = halved every steps/4 steps; cosine = "
          "cosine decay to 0 over the run", choices=SCHEDULES),
    Param("data_seed", "int", 0, "Order of the mini-batches (the same for every optimiser)",
          min=0, max=2**31 - 1),
))


def dataset_fingerprint(params: dict, data: str | None) -> str:
    # The data of each problem is fixed (plotly's bundled files or generated with seed 0).
    return f"descent:{params['problem']}:v1"


def start_of(params: dict) -> tuple[float, float]:
    """(w₁, w₂) where the path starts."""
    if params["start"] == "custom":
        return float(params["start_w1"]), float(params["start_w2"])
    from dl_core.foundations.problems import load_problem

    w1, w2 = load_problem(params["problem"]).start
    return float(w1), float(w2)


def train(params: dict, ctx, data: str | None = None):
    from dl_core.topics.descent.train import train as run

    return run(params, ctx, data)


TOPIC = TopicSpec(
    name="descent",
    title="Gradient descent path",
    summary="The path of a real Keras optimiser (SGD, momentum, Nesterov, RMSprop, Adagrad, "
            "Adadelta, Adam) over the exact loss surface of a two-parameter model.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
)

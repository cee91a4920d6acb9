"""The 2-1-1 network as a Keras model with the learner's weights, and Keras's ∂J/∂θ (imports Keras)."""

from __future__ import annotations

import time

import numpy as np

from dl_core.foundations import backprop
from dl_core.spec import DatasetInfo, TrainContext, TrainResult
from dl_core.topics.backprop import WEIGHTS, dataset_fingerprint

DTYPE = "float64"  # asked for; JAX without x64 computes in float32 (reported in info["dtype"])

MODEL_CODE = """inputs = keras.Input((2,), dtype="float64", name="x")
# a₁ = σ(w₁₁x₁ + w₁₂x₂ + b₁)
hidden = layers.Dense(1, activation="sigmoid", dtype="float64", name="hidden")(inputs)
# ŷ = σ(w₂a₁ + b₂)
output = layers.Dense(1, activation="sigmoid", dtype="float64", name="output")(hidden)
model = keras.Model(inputs, output)
loss = 0.5 * (ŷ - y) ** 2"""


def build_network(values: dict):
    """Dense(1, sigmoid) → Dense(1, sigmoid), weights set to the given w₁₁, w₁₂, b₁, w₂, b₂."""
    import keras
    from keras import layers

    inputs = keras.Input((2,), dtype=DTYPE, name="x")
    hidden_layer = layers.Dense(1, activation="sigmoid", dtype=DTYPE, name="hidden")
    output_layer = layers.Dense(1, activation="sigmoid", dtype=DTYPE, name="output")
    model = keras.Model(inputs, output_layer(hidden_layer(inputs)), name="backprop_2_1_1")
    hidden_layer.set_weights([np.array([[values["w11"]], [values["w12"]]], np.float64),
                              np.array([values["b1"]], np.float64)])
    output_layer.set_weights([np.array([[values["w2"]]], np.float64),
                              np.array([values["b2"]], np.float64)])
    return model


def keras_gradients(model, values: dict) -> tuple[float, float, dict[str, float], str]:
    """(ŷ, J, {parameter: ∂J/∂parameter}, the dtype computed in) from Keras's own autodiff."""
    import keras

    from dl_core.models.gradients import value_and_gradients

    dtype = model.get_layer("hidden").kernel.dtype
    weights = [keras.ops.convert_to_tensor(v) for v in model.trainable_variables]
    x = keras.ops.convert_to_tensor(np.array([[values["x1"], values["x2"]]]), dtype=dtype)
    y = keras.ops.convert_to_tensor(np.array([[values["y"]]]), dtype=dtype)

    def loss_of(trainable):
        prediction, _ = model.stateless_call(trainable, [], x)
        return 0.5 * keras.ops.sum(keras.ops.square(prediction - y)), prediction

    loss, prediction, grads = value_and_gradients(loss_of, weights)
    by_path = {v.path: np.asarray(keras.ops.convert_to_numpy(g), np.float64).ravel()
               for v, g in zip(model.trainable_variables, grads)}
    hidden, output = model.get_layer("hidden"), model.get_layer("output")
    kernel_1, kernel_2 = by_path[hidden.kernel.path], by_path[output.kernel.path]
    gradient = {"w11": kernel_1[0], "w12": kernel_1[1], "b1": by_path[hidden.bias.path][0],
                "w2": kernel_2[0], "b2": by_path[output.bias.path][0]}
    computed = np.asarray(keras.ops.convert_to_numpy(prediction))
    return (float(computed.ravel()[0]), float(keras.ops.convert_to_numpy(loss)),
            {k: float(v) for k, v in gradient.items()}, str(computed.dtype))


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    started, cpu_started = time.monotonic(), time.process_time()
    values = {name: float(value) for name, value in params.items()}
    model = build_network(values)
    y_hat, loss, keras_grad, dtype = keras_gradients(model, values)
    by_hand = {name: float(value) for name, value in backprop.gradients(values).items()}
    difference = np.array([abs(keras_grad[name] - by_hand[name]) for name in WEIGHTS])
    seconds = time.monotonic() - started
    ctx.emit("epoch", epoch=1, epochs=1, logs={"J": loss}, unit="check", step_unit="step",
             seconds=seconds, epoch_seconds=seconds,
             epoch_cpu_seconds=time.process_time() - cpu_started)
    metrics = {"J": loss, "y_hat": y_hat, **{f"keras_{name}": keras_grad[name] for name in WEIGHTS},
               "max_abs_difference": float(difference.max())}
    artifacts = {"keras_gradients": np.array([keras_grad[n] for n in WEIGHTS], np.float64),
                 "chain_rule_gradients": np.array([by_hand[n] for n in WEIGHTS], np.float64),
                 "abs_difference": difference}
    info = {"parameters": list(WEIGHTS), "dtype": dtype,
            "chain_rule": by_hand, "model_code": MODEL_CODE}
    dataset = DatasetInfo("one example (x₁, x₂, y)", "builtin", 1, 0,
                          dataset_fingerprint(params, data))
    return TrainResult(model, metrics, {"J": [loss]}, dataset, [], artifacts, info)

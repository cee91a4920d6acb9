"""Train the deep MLP and measure ‖∂L/∂W_l‖ per Dense layer before and after (imports Keras)."""

from __future__ import annotations

import numpy as np

from dl_core.data.digits import load_digits
from dl_core.spec import TrainContext, TrainResult

PROBE_BATCH = 256  # the first 256 training examples: the same batch before and after training
CLASSES = 10
INPUTS = 28 * 28


def build_deep_mlp(activation: str, depth: int, units: int, inputs: int = INPUTS,
                   classes: int = CLASSES):
    """`depth` hidden Dense layers of `units`, then a softmax Dense output.

    sigmoid / tanh: Glorot uniform, the initialisation designed for them; relu: He normal, which
    doubles the variance to make up for the half of the units ReLU zeroes; relu_bn: Dense (no
    activation, no bias: BatchNormalization's β replaces it) → BatchNormalization → ReLU.
    """
    import keras
    from keras import layers

    if activation not in ("sigmoid", "tanh", "relu", "relu_bn"):
        raise ValueError(f"activation={activation!r}: expected sigmoid, tanh, relu or relu_bn")
    init = "glorot_uniform" if activation in ("sigmoid", "tanh") else "he_normal"
    x = inputs_layer = keras.Input((inputs,), name="pixels")
    for i in range(1, depth + 1):
        if activation == "relu_bn":
            x = layers.Dense(units, use_bias=False, kernel_initializer=init, name=f"dense_{i}")(x)
            x = layers.BatchNormalization(name=f"bn_{i}")(x)
            x = layers.ReLU(name=f"relu_{i}")(x)
        else:
            x = layers.Dense(units, activation=activation, kernel_initializer=init,
                             name=f"dense_{i}")(x)
    outputs = layers.Dense(classes, activation="softmax", name="output")(x)
    return keras.Model(inputs_layer, outputs, name=f"deep_mlp_{activation}_{depth}")


def flatten(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) in [0, 1] -> (N, 784) float32: an MLP sees a digit as one long vector."""
    return np.asarray(images, np.float32).reshape(len(images), -1)


def dense_layers(model) -> list:
    """The model's Dense layers in order, input side first, the output layer last."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def gradient_norms(model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """‖∂L/∂W_l‖_F of every Dense kernel (biases left out), input side first.

    L is the mean sparse categorical cross-entropy over the batch, computed the way fit() does
    (training=True, so BatchNormalization normalises with this batch's statistics; the updated
    moving averages are thrown away: measuring changes nothing). The weights enter as values
    through model.stateless_call, so value_and_gradients works on every backend.
    """
    import keras

    from dl_core.models.gradients import value_and_gradients

    trainable = [keras.ops.convert_to_tensor(v) for v in model.trainable_variables]
    non_trainable = [keras.ops.convert_to_tensor(v) for v in model.non_trainable_variables]
    paths = [v.path for v in model.trainable_variables]
    kernels = [paths.index(layer.kernel.path) for layer in dense_layers(model)]
    inputs = keras.ops.convert_to_tensor(np.asarray(x, np.float32))
    targets = keras.ops.convert_to_tensor(np.asarray(y, np.int32))

    def loss_of(weights):
        probs, _ = model.stateless_call(weights, non_trainable, inputs, training=True)
        return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(targets, probs)), None

    _, _, grads = value_and_gradients(loss_of, trainable)
    return np.array([np.linalg.norm(np.asarray(keras.ops.convert_to_numpy(grads[i]), np.float64))
                     for i in kernels])


def ratio(norms: np.ndarray) -> float:
    """First Dense layer's gradient norm over the last Dense (output) layer's: ≪ 1 = vanishing."""
    return float(norms[0] / norms[-1])


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.training import ProgressCallback

    digits = load_digits("digits", params["train_size"], data)
    x_train, x_val = flatten(digits.x_train), flatten(digits.x_val)
    probe_x, probe_y = x_train[:PROBE_BATCH], digits.y_train[:PROBE_BATCH]
    model = build_deep_mlp(params["activation"], params["depth"], params["units"])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    norms_init = gradient_norms(model, probe_x, probe_y)

    steps = int(np.ceil(len(x_train) / params["batch_size"]))
    progress = ProgressCallback(ctx, params["epochs"], steps, preview=None)
    model.fit(x_train, digits.y_train, validation_data=(x_val, digits.y_val),
              epochs=params["epochs"], batch_size=params["batch_size"], callbacks=[progress],
              verbose=0, shuffle=True)
    ctx.check_stop()
    norms_trained = gradient_norms(model, probe_x, probe_y)

    predicted = model.predict(x_val, batch_size=256, verbose=0).argmax(axis=1)
    metrics = {"ratio_init": ratio(norms_init), "ratio_trained": ratio(norms_trained),
               "val_accuracy": float(np.mean(predicted == digits.y_val))}
    artifacts = {"grad_norms_init": norms_init.astype(np.float32),
                 "grad_norms_trained": norms_trained.astype(np.float32)}
    info = {"layers": [layer.name for layer in dense_layers(model)],
            "ratio": "‖∂L/∂W‖ of the first Dense layer / that of the last (the output layer)",
            "probe_batch": PROBE_BATCH}
    return TrainResult(model, metrics, progress.history, digits.info, [], artifacts, info)

"""One Keras optimiser on one two-weight Keras model, step by step, recording the path (imports Keras).

The optimiser is Keras's own, applied to the model's own two weights with gradients from
dl_core.models.gradients.value_and_gradients over model.stateless_call: on TensorFlow (and
PyTorch) `optimizer.apply(grads, variables)` updates the variables in place; on JAX the step is
stateless, `optimizer.stateless_apply(slots, grads, weights)` on values, as dl_core.models.gan
does. Nothing of the update rule is written here.
"""

from __future__ import annotations

import time

import numpy as np

from dl_core.foundations import descent
from dl_core.spec import DatasetInfo, TrainContext, TrainResult
from dl_core.topics.descent import dataset_fingerprint, start_of

_CLASSES = {"sgd": "SGD", "momentum": "SGD", "nesterov": "SGD", "rmsprop": "RMSprop",
            "adagrad": "Adagrad", "adadelta": "Adadelta", "adam": "Adam"}

MODEL_CODE = {
    "linear": 'inputs = keras.Input((1,), name="x")\n'
              "# ŷ = w₁x + w₂: w₁ is the kernel, w₂ the bias\n"
              'outputs = layers.Dense(1, name="linear")(inputs)\n'
              "model = keras.Model(inputs, outputs)",
    "iris": 'inputs = keras.Input((2,), name="x")\n'
            "# p = σ(w₁x₁ + w₂x₂): the kernel's two entries are w₁ and w₂\n"
            'outputs = layers.Dense(1, activation="sigmoid", use_bias=False, name="logistic")(inputs)\n'
            "model = keras.Model(inputs, outputs)",
    "tanh": 'inputs = keras.Input((1,), name="x")\n'
            "# tanh(w₁x)\n"
            'hidden = layers.Dense(1, activation="tanh", use_bias=False, name="hidden")(inputs)\n'
            "# ŷ = w₂·tanh(w₁x)\n"
            'outputs = layers.Dense(1, use_bias=False, name="output")(hidden)\n'
            "model = keras.Model(inputs, outputs)",
}


def model_kind(problem) -> str:
    return "iris" if problem.name == "iris" else "tanh" if problem.name == "tanh" else "linear"


def build_two_weight_model(problem, w1: float, w2: float):
    """The problem's Keras model, holding exactly two trainable scalars, set to (w1, w2).

    Its trainable variables, flattened in order, are (w₁, w₂) (see `weights_of`)."""
    import keras
    from keras import layers

    kind = model_kind(problem)
    inputs = keras.Input((2 if kind == "iris" else 1,), name="x")
    if kind == "iris":
        outputs = layers.Dense(1, activation="sigmoid", use_bias=False, name="logistic")(inputs)
    elif kind == "tanh":
        hidden = layers.Dense(1, activation="tanh", use_bias=False, name="hidden")(inputs)
        outputs = layers.Dense(1, use_bias=False, name="output")(hidden)
    else:
        outputs = layers.Dense(1, name="linear")(inputs)
    model = keras.Model(inputs, outputs, name=f"two_weights_{problem.name}")
    set_weights_of(model, (w1, w2))
    return model


def weights_of(values) -> np.ndarray:
    """(w₁, w₂) as float64 from the model's trainable variables or their values, in order."""
    import keras

    flat = np.concatenate([np.ravel(keras.ops.convert_to_numpy(v)) for v in values])
    return flat.astype(np.float64)


def set_weights_of(model, w) -> None:
    flat, offset = np.asarray(w, np.float32).ravel(), 0
    for variable in model.trainable_variables:
        size = int(np.prod(variable.shape))
        variable.assign(flat[offset:offset + size].reshape(variable.shape))
        offset += size
    assert offset == 2 == flat.size, "the model must hold exactly two trainable scalars"


def inputs_of(problem) -> tuple[np.ndarray, np.ndarray]:
    """(x as (n, 1) or (n, 2) float32, y as (n, 1) float32): what the Keras model is fed."""
    x = np.asarray(problem.x, np.float32)
    return x.reshape(len(x), -1), np.asarray(problem.y, np.float32).reshape(-1, 1)


def batch_loss(problem, prediction, y):
    """The problem's loss on one mini-batch, in keras.ops: MSE, or mean binary cross-entropy."""
    import keras

    if problem.loss == "bce":
        return keras.ops.mean(keras.losses.binary_crossentropy(y, prediction))
    return keras.ops.mean(keras.ops.square(prediction - y))


def learning_rate_of(params: dict):
    """(learning_rate for the optimiser: a float or a Keras schedule, its Keras code)."""
    import keras

    lr, steps = float(params["learning_rate"]), int(params["steps"])
    if params["schedule"] == "step":
        decay_steps = max(1, steps // 4)
        return (keras.optimizers.schedules.ExponentialDecay(
                    lr, decay_steps=decay_steps, decay_rate=0.5, staircase=True),
                f"keras.optimizers.schedules.ExponentialDecay({lr!r}, decay_steps={decay_steps}, "
                "decay_rate=0.5, staircase=True)")
    if params["schedule"] == "cosine":
        return (keras.optimizers.schedules.CosineDecay(lr, decay_steps=steps),
                f"keras.optimizers.schedules.CosineDecay({lr!r}, decay_steps={steps})")
    if params["schedule"] != "constant":
        raise ValueError(f"schedule={params['schedule']!r}: expected constant, step or cosine")
    return lr, repr(lr)


def make_optimizer(params: dict):
    """(a fresh Keras optimiser for these parameters, the line of Keras code that makes it)."""
    import keras

    name = params["optimizer"]
    if name not in _CLASSES:
        raise ValueError(f"optimizer={name!r}: expected one of {', '.join(_CLASSES)}")
    learning_rate, lr_code = learning_rate_of(params)
    kwargs, code = {"learning_rate": learning_rate}, [f"learning_rate={lr_code}"]
    if name in ("momentum", "nesterov"):
        kwargs["momentum"] = float(params["momentum"])
        code.append(f"momentum={float(params['momentum'])!r}")
    if name == "nesterov":
        kwargs["nesterov"] = True
        code.append("nesterov=True")
    optimizer = getattr(keras.optimizers, _CLASSES[name])(**kwargs)
    return optimizer, f"keras.optimizers.{_CLASSES[name]}({', '.join(code)})"


def scheduled_rates(params: dict) -> np.ndarray:
    """The learning rate the optimiser uses at each step 0 … steps − 1 (the schedule's values)."""
    import keras

    learning_rate, _ = learning_rate_of(params)
    if not callable(learning_rate):
        return np.full(int(params["steps"]), learning_rate, np.float64)
    return np.array([float(keras.ops.convert_to_numpy(learning_rate(k)))
                     for k in range(int(params["steps"]))], np.float64)


def batch_indices(n: int, batch_size: int, steps: int, seed: int) -> list[np.ndarray | None]:
    """The examples of each step's mini-batch (None = the whole set, in order).

    Each epoch is a fresh permutation from one numpy Generator(seed), cut into batches of
    batch_size (the last one of an epoch may be smaller, as in fit()). batch_size 0, or one at
    least n, means the whole set every step."""
    if batch_size <= 0 or batch_size >= n:
        return [None] * steps
    rng, out = np.random.default_rng(seed), []
    while len(out) < steps:
        order = rng.permutation(n)
        out.extend(order[lo:lo + batch_size] for lo in range(0, n, batch_size))
    return out[:steps]


class Stepper:
    """One optimiser step on one mini-batch, compiled once: `stepper(x, y)` -> the batch loss.

    TensorFlow and PyTorch: gradients of the model's loss (value_and_gradients over
    model.stateless_call), then `optimizer.apply(grads, model.trainable_variables)`, which
    updates the variables in place (inside one tf.function on TensorFlow, as fit() does). JAX:
    the same, stateless (`optimizer.stateless_apply(slots, grads, weights)` on values, inside
    jax.jit), as dl_core.models.gan does. `weights` is the model's two weights after the last step.
    """

    def __init__(self, model, optimizer, problem):
        import keras

        self.model, self.optimizer, self.problem = model, optimizer, problem
        self.backend = keras.backend.backend()
        optimizer.build(model.trainable_variables)
        if self.backend == "jax":
            import jax

            self._values = ([v.value for v in model.trainable_variables],
                            [v.value for v in optimizer.variables])
            self._step = jax.jit(self._stateless_step)
        elif self.backend == "tensorflow":
            import tensorflow as tf

            self._step = tf.function(self._stateful_step)
        else:
            self._step = self._stateful_step

    @property
    def weights(self) -> list:
        if self.backend == "jax":
            return self._values[0]
        return [v.value for v in self.model.trainable_variables]

    def __call__(self, x, y):
        if self.backend == "jax":
            loss, weights, slots = self._step(*self._values, x, y)
            self._values = (weights, slots)
            return loss
        return self._step(x, y)

    def _gradients(self, weights, x, y):
        from dl_core.models.gradients import value_and_gradients

        def loss_of(trainable):
            prediction, _ = self.model.stateless_call(trainable, [], x)
            return batch_loss(self.problem, prediction, y), None

        loss, _, grads = value_and_gradients(loss_of, weights)
        return loss, grads

    def _stateless_step(self, weights, slots, x, y):
        loss, grads = self._gradients(weights, x, y)
        weights, slots = self.optimizer.stateless_apply(slots, grads, weights)
        return loss, weights, slots

    def _stateful_step(self, x, y):
        from dl_core.models.gradients import outside_autodiff

        loss, grads = self._gradients(self.weights, x, y)
        with outside_autodiff():
            self.optimizer.apply(grads, self.model.trainable_variables)
        return loss


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    started, cpu_started = time.monotonic(), time.process_time()
    problem = descent.load_problem(params["problem"])
    steps = int(params["steps"])
    start = start_of(params)
    model = build_two_weight_model(problem, *start)
    optimizer, optimizer_code = make_optimizer(params)
    stepper = Stepper(model, optimizer, problem)
    rates = scheduled_rates(params)
    x_all, y_all = inputs_of(problem)
    full = (keras.ops.convert_to_tensor(x_all), keras.ops.convert_to_tensor(y_all))
    batches = batch_indices(problem.n, int(params["batch_size"]), steps, int(params["data_seed"]))

    path = [np.array(start, np.float64)]
    losses = [descent.loss_at(problem, *path[0])]
    batch_losses: list[float] = []
    diverged_at = None
    report_every = max(1, steps // 10)
    last_report, last_cpu = started, cpu_started
    for k, batch in enumerate(batches):
        ctx.check_stop()
        x, y = full if batch is None else (keras.ops.convert_to_tensor(x_all[batch]),
                                           keras.ops.convert_to_tensor(y_all[batch]))
        loss = stepper(x, y)
        w = weights_of(stepper.weights)
        with np.errstate(all="ignore"):
            path.append(w)
            losses.append(descent.loss_at(problem, *w) if np.all(np.isfinite(w)) else np.inf)
        batch_losses.append(float(keras.ops.convert_to_numpy(loss)))
        diverged_at = descent.divergence_step(losses, path)
        done = k + 1
        if diverged_at is not None or done % report_every == 0 or done == steps:
            now, cpu = time.monotonic(), time.process_time()
            ctx.emit("epoch", epoch=done, epochs=steps, logs=_logs(losses[-1], batch_losses[-1]),
                     unit="step", step_unit="step", seconds=now - started,
                     epoch_seconds=now - last_report, epoch_cpu_seconds=cpu - last_cpu)
            last_report, last_cpu = now, cpu
        if diverged_at is not None:
            break

    kept = _kept_points(path, losses, batch_losses, diverged_at)
    path_array = np.array(path[:kept], np.float64)
    loss_array = np.array(losses[:kept], np.float64)
    batch_array = np.array(batch_losses[:kept - 1], np.float64)
    set_weights_of(model, path_array[-1])  # the model is the path's last (finite) point
    minimum = descent.minimum(problem)
    final_loss = float(loss_array[-1])
    metrics = {
        "final_loss": final_loss,
        "min_loss": float(minimum.loss),
        "excess": final_loss / float(minimum.loss) - 1.0,
        "diverged": 0.0 if diverged_at is None else 1.0,
        "diverged_at": -1.0 if diverged_at is None else float(diverged_at),
        "steps_run": float(len(batch_losses)),
    }
    artifacts = {"path": path_array, "loss": loss_array, "batch_loss": batch_array,
                 "learning_rate": rates[:kept - 1]}
    history = {"loss": loss_array[1:].tolist(), "batch_loss": batch_array.tolist()}
    info = {"problem": problem.title, "optimizer_code": optimizer_code,
            "model_code": MODEL_CODE[model_kind(problem)], "start": list(start),
            "minimum": [minimum.w1, minimum.w2], "minimum_method": minimum.method,
            "batch_examples": problem.n if batches[0] is None else int(params["batch_size"]),
            "seconds": round(time.monotonic() - started, 3)}
    dataset = DatasetInfo(problem.title, "builtin", problem.n, 0,
                          dataset_fingerprint(params, data), problem.data_note)
    return TrainResult(model, metrics, history, dataset, [], artifacts, info)


def _logs(loss: float, batch: float) -> dict[str, float]:
    return {name: float(value) for name, value in (("loss", loss), ("batch_loss", batch))
            if np.isfinite(value)}


def _kept_points(path, losses, batch_losses, diverged_at) -> int:
    """How many points of the path to keep: all, or up to and including the step that
    diverged, less that step when its point, its loss or its mini-batch loss is not finite
    (no NaN or infinity reaches the page)."""
    kept = len(path) if diverged_at is None else diverged_at + 1

    def finite(i: int) -> bool:
        return bool(np.all(np.isfinite(path[i])) and np.isfinite(losses[i])
                    and (i == 0 or np.isfinite(batch_losses[i - 1])))

    bad = next((i for i in range(1, kept) if not finite(i)), None)
    return kept if bad is None else bad

"""Train the regularised MLP, watch it overfit, record what each cure does (imports Keras).

Recorded beyond fit()'s history (loss, accuracy, val_loss, val_accuracy per epoch):
- the final figures, evaluated after training (so with early stopping and restore_best they are
  the best epoch's): train/val loss and accuracy, their gap, val loss vs its minimum;
- each Dense kernel's share of small weights (|w| < 1e-3: what L1 drives to zero) and a float16
  sample of its values for a histogram;
- the first hidden layer's pre-activations (what goes into its ReLU) on a fixed batch of 256
  validation images, before training and after every epoch, as 5 quantiles: BatchNorm keeps
  them centred while plain Dense outputs drift;
- with BatchNorm, bn_1's batch statistics vs its moving averages on that batch, and how much
  the layer's output differs between training mode and inference mode.
Everything after training is computed in numpy from the layers' weights, so nothing here moves
BatchNorm's moving averages or depends on the backend.
"""

from __future__ import annotations

import numpy as np

from dl_core.data.digits import load_digits
from dl_core.spec import DatasetInfo, TrainContext, TrainResult
from dl_core.topics.overfit import VAL_SIZE, check, matching_preset

PROBE_BATCH = 256  # the first 256 validation images: the same batch every epoch
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SMALL = 1e-3  # |w| below this counts as a (practically) zero weight
WEIGHT_SAMPLE = 5000  # kernel values kept per layer for the histogram
BN_UNITS = 8  # units of bn_1 shown in bn_batch_stats
CLASSES = 10


def pool_size(params: dict) -> int:
    return params["train_size"] + (VAL_SIZE if params["split"] == "holdout" else 0)


def split_indices(params: dict) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) positions in the pool of `pool_size(params)` images (see __init__)."""
    check(params)
    if params["split"] == "holdout":
        order = np.random.default_rng(params["split_seed"]).permutation(pool_size(params))
        return order[:params["train_size"]], order[params["train_size"]:]
    order = np.random.default_rng(0).permutation(params["train_size"])
    folds = np.array_split(order, params["folds"])
    rest = [part for i, part in enumerate(folds) if i != params["fold"]]
    return np.concatenate(rest), folds[params["fold"]]


def flatten(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) in [0, 1] -> (N, 784) float32."""
    return np.asarray(images, np.float32).reshape(len(images), -1)


def dense_layers(model) -> list:
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def _numpy(variable) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(variable), np.float64)


def bn_parts(layer) -> dict[str, np.ndarray]:
    return {"gamma": _numpy(layer.gamma), "beta": _numpy(layer.beta),
            "moving_mean": _numpy(layer.moving_mean),
            "moving_variance": _numpy(layer.moving_variance), "epsilon": float(layer.epsilon)}


def batchnorm(z: np.ndarray, parts: dict, training: bool) -> np.ndarray:
    """BN(z) = γ·(z − μ)/√(σ² + ε) + β: μ, σ² of this batch in training mode, the moving
    averages in inference mode (what BatchNormalization computes, without updating anything)."""
    if training:
        mean, var = z.mean(axis=0), z.var(axis=0)
    else:
        mean, var = parts["moving_mean"], parts["moving_variance"]
    return parts["gamma"] * (z - mean) / np.sqrt(var + parts["epsilon"]) + parts["beta"]


def dense_output(model, x: np.ndarray) -> np.ndarray:
    """x·W + b of dense_1, before any activation."""
    layer = model.get_layer("dense_1")
    z = x.astype(np.float64) @ _numpy(layer.kernel)
    return z + _numpy(layer.bias) if layer.use_bias else z


def preactivation(model, x: np.ndarray, batchnorm_on: bool) -> np.ndarray:
    """What enters the first ReLU, in inference mode: BN(x·W) with BatchNorm (its moving
    averages: what the model does on validation data), x·W + b without."""
    z = dense_output(model, x)
    return batchnorm(z, bn_parts(model.get_layer("bn_1")), training=False) if batchnorm_on else z


def _preactivation_callback(probe: np.ndarray, batchnorm_on: bool, rows: list):
    import keras

    class PreactivationQuantiles(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self._record()

        def on_epoch_end(self, epoch, logs=None):
            self._record()

        def _record(self):
            rows.append(np.quantile(preactivation(self.model, probe, batchnorm_on), QUANTILES))

    return PreactivationQuantiles()


def weight_sample(kernel: np.ndarray) -> np.ndarray:
    """At most WEIGHT_SAMPLE of the kernel's values (a fixed random choice), float16."""
    flat = kernel.ravel()
    if flat.size > WEIGHT_SAMPLE:
        flat = flat[np.sort(np.random.default_rng(0).choice(flat.size, WEIGHT_SAMPLE,
                                                            replace=False))]
    return flat.astype(np.float16)


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.models.regularised import build_regularised_mlp
    from dl_core.training import ProgressCallback

    check(params)
    digits = load_digits("digits", pool_size(params), data)
    pool_x, pool_y = flatten(digits.x_train), digits.y_train
    train_idx, val_idx = split_indices(params)
    x_train, y_train = pool_x[train_idx], pool_y[train_idx]
    x_val, y_val = pool_x[val_idx], pool_y[val_idx]
    probe = x_val[:PROBE_BATCH]

    model = build_regularised_mlp(inputs=x_train.shape[1], classes=CLASSES, width=params["width"],
                                  depth=params["depth"], l1=params["l1"], l2=params["l2"],
                                  dropout=params["dropout"], batchnorm=params["batchnorm"])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    batch = params["batch_size"]
    steps = int(np.ceil(len(x_train) / batch))
    progress = ProgressCallback(ctx, params["epochs"], steps, preview=None)
    quantile_rows: list[np.ndarray] = []
    callbacks = [progress, _preactivation_callback(probe, params["batchnorm"], quantile_rows)]
    if params["early_stopping"]:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=params["patience"],
            restore_best_weights=params["restore_best"]))
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=params["epochs"],
              batch_size=batch, callbacks=callbacks, verbose=0, shuffle=True)
    ctx.check_stop()

    history = progress.history
    val_losses = np.asarray(history["val_loss"], np.float64)
    train_loss, train_accuracy = model.evaluate(x_train, y_train, batch_size=batch, verbose=0)
    val_loss, val_accuracy = model.evaluate(x_val, y_val, batch_size=batch, verbose=0)
    min_val_loss = float(np.nanmin(val_losses)) if np.isfinite(val_losses).any() else float("nan")
    metrics = {
        "final_val_loss": float(val_loss), "min_val_loss": min_val_loss,
        "val_loss_ratio": float(val_loss) / min_val_loss,
        "best_epoch": float(np.nanargmin(val_losses) + 1) if np.isfinite(min_val_loss) else 0.0,
        "stopped_epoch": float(len(val_losses)),
        "train_loss": float(train_loss), "train_accuracy": float(train_accuracy),
        "val_accuracy": float(val_accuracy), "gap": float(train_accuracy) - float(val_accuracy),
    }
    artifacts: dict[str, np.ndarray] = {}
    for layer in dense_layers(model):
        kernel = _numpy(layer.kernel)
        metrics[f"small_weight_share_{layer.name}"] = float(np.mean(np.abs(kernel) < SMALL))
        artifacts[f"weights_{layer.name}"] = weight_sample(kernel)
    metrics["first_layer_small_share"] = metrics["small_weight_share_dense_1"]
    artifacts["preact_quantiles"] = np.asarray(quantile_rows, np.float32)

    if params["batchnorm"]:
        parts = bn_parts(model.get_layer("bn_1"))
        z = dense_output(model, probe)
        artifacts["bn_batch_stats"] = np.stack([
            z.mean(axis=0), z.var(axis=0), parts["moving_mean"], parts["moving_variance"],
        ])[:, :BN_UNITS].astype(np.float32)
        metrics["bn_mode_difference"] = float(np.mean(np.abs(
            batchnorm(z, parts, training=True) - batchnorm(z, parts, training=False))))

    info = {
        "layers": [layer.name for layer in model.layers],
        "dense_layers": [layer.name for layer in dense_layers(model)],
        "preset": matching_preset(params),
        "builder": "build_regularised_mlp", "model_module": "dl_core/models/regularised.py",
        "split": params["split"], "pool_size": pool_size(params),
        "train_images": len(train_idx), "val_images": len(val_idx),
        "probe_batch": len(probe), "quantiles": list(QUANTILES), "small_weight": SMALL,
        "weights_artifacts": "a float16 sample of at most 5000 kernel values per Dense layer "
                             "(a fixed random choice; all of them when fewer)",
        "preact": "inference-mode input of the first ReLU on the probe batch: "
                  + ("BN(x·W) with the moving averages" if params["batchnorm"] else "x·W + b"),
        "early_stopped": bool(params["early_stopping"] and len(val_losses) < params["epochs"]),
    }
    dataset = digits.info
    dataset = DatasetInfo(dataset.name, dataset.source, len(train_idx), len(val_idx),
                          dataset.fingerprint, dataset.note)
    return TrainResult(model, metrics, history, dataset, [], artifacts, info)

"""Training the playground's MLP, and everything the page draws from it.

Per epoch (epoch 0 = the untrained model) the class probabilities over the surface grid are kept
(artifact `surface_probs`) and drawn with the points as the preview picture. At the end: the
logits over the grid, what each neuron of the first two hidden layers computes there, the
weights for the network drawing and the test set's confusion matrix.
"""

from __future__ import annotations

import numpy as np

from dl_core.data import planar
from dl_core.foundations.features import FEATURE_LABELS, feature_map, parse_features
from dl_core.spec import DatasetInfo, TrainContext, TrainResult
from dl_core.topics.playground import surface

NEURON_LAYERS = 2  # neuron maps are kept for the first this-many hidden layers


def load_data(params: dict, data: str | None) -> dict:
    """The points (built-in, or the learner's CSV), split into training and test sets."""
    if data is None:
        X, y = planar.make_points(params["dataset"], params["points"], params["noise"],
                                  params["seed_data"], params["classes"])
        k = params["classes"] if params["dataset"] == "blobs" else 2
        labels = [str(c) for c in range(k)]
        name, source, offset, scale = f"built-in {params['dataset']}", "builtin", None, None
    else:
        points = planar.read_points_csv(data)
        X, y, labels = points.x, points.y, points.labels
        name, source, offset, scale = "your CSV", "upload", points.offset, points.scale
    x_train, y_train, x_test, y_test = planar.split(X, y, params["test_ratio"],
                                                    params["seed_data"])
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
            "labels": labels, "name": name, "source": source, "offset": offset, "scale": scale}


def make_optimizer(name: str, learning_rate: float):
    import keras

    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    if name == "momentum":
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
    return keras.optimizers.Adam(learning_rate=learning_rate)


def make_loss(name: str):
    """Both on one-hot targets and softmax probabilities (Keras's own classes, so a saved model
    loads without custom objects)."""
    import keras

    if name == "mse":
        return keras.losses.MeanSquaredError()
    return keras.losses.CategoricalCrossentropy()


def build_model(params: dict, inputs: int, classes: int):
    from dl_core.models.mlp import build_mlp

    hidden = (params["units"],) * params["hidden_layers"]
    return build_mlp(inputs=inputs, hidden=hidden, activation=params["activation"],
                     classes=classes, l1=params["l1"], l2=params["l2"],
                     dropout=params["dropout"])


def predict(model, features: np.ndarray) -> np.ndarray:
    """Probabilities in inference mode (dropout off), called directly: far cheaper than
    model.predict for a few thousand points, which matters once per epoch."""
    import keras

    return keras.ops.convert_to_numpy(model(features, training=False)).astype(np.float32)


def logits_of(model, features: np.ndarray) -> np.ndarray:
    """z = h·W + b of the output layer, before the softmax (h = what reaches that layer)."""
    import keras

    output = model.get_layer("output")
    reach = keras.Model(model.input, output.input)
    h = keras.ops.convert_to_numpy(reach(features, training=False)).astype(np.float64)
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in output.weights)
    return (h @ kernel + bias).astype(np.float32)


def neuron_maps(model, features: np.ndarray, side: int) -> tuple[np.ndarray, list]:
    """Each unit of hidden_1 and hidden_2 over the grid: (units, G, G) and [layer, unit] per map."""
    import keras

    names = [layer.name for layer in model.layers if layer.name.startswith("hidden_")]
    names = names[:NEURON_LAYERS]
    if not names:
        return np.zeros((0, side, side), np.float32), []
    reach = keras.Model(model.input, [model.get_layer(name).output for name in names])
    outputs = reach(features, training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    maps, info = [], []
    for name, values in zip(names, outputs):
        values = keras.ops.convert_to_numpy(values)
        for unit in range(values.shape[1]):
            maps.append(values[:, unit].reshape(side, side))
            info.append([name, unit])
    return np.stack(maps).astype(np.float32), info


def weight_artifacts(model) -> dict[str, np.ndarray]:
    """weights_i (fan_in, fan_out) and biases_i (fan_out,) from the features to the output."""
    import keras

    from dl_core.models.mlp import dense_layers

    out = {}
    for i, layer in enumerate(dense_layers(model)):
        kernel, bias = (keras.ops.convert_to_numpy(w) for w in layer.weights)
        out[f"weights_{i}"] = kernel.astype(np.float32)
        out[f"biases_{i}"] = bias.astype(np.float32)
    return out


def evaluate(model, loss_fn, features: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """(loss, accuracy) as Keras's evaluate reports them: the data loss plus the weight
    penalties (model.losses), and the share of argmax p = argmax target. Computed from one
    direct call, because Keras's per-epoch validation pass costs several times the epoch itself
    on a 200-point set."""
    import keras

    if len(features) == 0:
        return float("nan"), float("nan")
    probs = predict(model, features)
    penalty = sum(float(keras.ops.convert_to_numpy(term)) for term in model.losses)
    loss = float(keras.ops.convert_to_numpy(loss_fn(targets, probs))) + penalty
    accuracy = float(np.mean(probs.argmax(axis=1) == targets.argmax(axis=1)))
    return loss, accuracy


def validation_callback(loss_fn, features: np.ndarray, targets: np.ndarray):
    """Adds val_loss and val_accuracy to each epoch's logs (before ProgressCallback reads them)."""
    import keras

    class Validation(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs["val_loss"], logs["val_accuracy"] = evaluate(self.model, loss_fn, features,
                                                                  targets)

    return Validation()


def training_data(features: np.ndarray, targets: np.ndarray, batch_size: int) -> tuple:
    """What fit() is given: on TensorFlow a repeating, reshuffled tf.data pipeline, because with
    numpy arrays Keras rebuilds its input pipeline every epoch (measured: 100 epochs of 200 points
    took 8.5 s from numpy, 2.6 s from tf.data, the steps themselves the same); elsewhere the
    arrays with batch_size (the other backends' numpy path has no such cost to avoid)."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return (features, targets), {"batch_size": batch_size, "shuffle": True}
    import tensorflow as tf

    pipeline = (tf.data.Dataset.from_tensor_slices((features, targets))
                .shuffle(len(features), reshuffle_each_iteration=True)
                .batch(batch_size).repeat())
    return (pipeline,), {"shuffle": False}  # the pipeline reshuffles itself


def confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> np.ndarray:
    """counts[t, p] = test points of true class t predicted as p."""
    counts = np.zeros((classes, classes), np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.training import ProgressCallback

    names = parse_features(params["features"])
    points = load_data(params, data)
    classes = len(points["labels"])
    f_train = feature_map(points["x_train"], names)
    f_test = feature_map(points["x_test"], names)
    t_train = keras.utils.to_categorical(points["y_train"], classes)
    t_test = keras.utils.to_categorical(points["y_test"], classes)

    grid_x1, grid_x2 = surface.grid_axes()
    side = len(grid_x1)
    f_grid = feature_map(surface.grid_points(grid_x1, grid_x2), names)
    layer = surface.PointLayer(points["x_train"], points["y_train"], points["x_test"],
                               points["y_test"])
    surfaces: list[np.ndarray] = []

    def preview(m):
        probs = predict(m, f_grid).reshape(side, side, classes)
        surfaces.append(probs.astype(np.float16))
        return surface.render(probs, layer)

    model = build_model(params, len(names), classes)
    loss_fn = make_loss(params["loss"])
    steps = int(np.ceil(len(f_train) / params["batch_size"]))
    # A whole epoch per compiled call: a few hundred points make each step so cheap that the
    # per-call overhead dominated (measured 7.2 s -> 5.5 s for the defaults, same result).
    model.compile(optimizer=make_optimizer(params["optimizer"], params["learning_rate"]),
                  loss=loss_fn, metrics=["accuracy"], steps_per_execution=steps)
    progress = ProgressCallback(ctx, params["epochs"], steps, preview)
    # steps_per_epoch given: Keras then reuses the data iterator it made at the end of one epoch
    # for the next instead of making a second one, which halves the per-epoch overhead.
    inputs, options = training_data(f_train, t_train, params["batch_size"])
    model.fit(*inputs, **options, epochs=params["epochs"], steps_per_epoch=steps, verbose=0,
              callbacks=[validation_callback(loss_fn, f_test, t_test), progress])

    train_loss, train_accuracy = evaluate(model, loss_fn, f_train, t_train)
    test_loss, test_accuracy = evaluate(model, loss_fn, f_test, t_test)
    metrics = {"test_accuracy": float(test_accuracy), "train_accuracy": float(train_accuracy),
               "test_loss": float(test_loss), "train_loss": float(train_loss)}

    maps, map_info = neuron_maps(model, f_grid, side)
    predicted = predict(model, f_test).argmax(axis=1) if len(f_test) else np.zeros(0, np.int64)
    artifacts = {
        "grid_x1": grid_x1, "grid_x2": grid_x2,
        "surface_probs": np.stack(surfaces),
        "surface_logits": logits_of(model, f_grid).reshape(side, side, classes),
        "x_train": points["x_train"], "y_train": points["y_train"],
        "x_test": points["x_test"], "y_test": points["y_test"],
        "feature_maps": np.moveaxis(f_grid.reshape(side, side, len(names)), -1, 0),
        "neuron_maps": maps,
        "confusion": confusion(points["y_test"], predicted, classes),
        **weight_artifacts(model),
    }
    if points["offset"] is not None:
        artifacts["data_offset"] = np.asarray(points["offset"], np.float64)
        artifacts["data_scale"] = np.asarray(points["scale"], np.float64)
    hidden = [params["units"]] * params["hidden_layers"]
    info = {"labels": points["labels"], "features": list(names),
            "feature_labels": [FEATURE_LABELS[n] for n in names],
            "layer_sizes": [len(names), *hidden, classes], "neuron_maps": map_info,
            "grid": "surface arrays [i, j] are at (grid_x1[j], grid_x2[i])",
            "builder": "build_mlp", "model_module": "dl_core/models/mlp.py"}
    dataset = DatasetInfo(points["name"], points["source"], len(f_train), len(f_test),
                          fingerprint=_fingerprint(params, data),
                          note="" if data is None else "points rescaled to [-1, 1] per axis")
    return TrainResult(model, metrics, progress.history, dataset, progress.previews, artifacts,
                       info)


def _fingerprint(params: dict, data: str | None) -> str:
    from dl_core.topics.playground import dataset_fingerprint

    return dataset_fingerprint(params, data)

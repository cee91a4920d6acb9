"""Stock forecasting with a recurrent network (LSTM, GRU or SimpleRNN) against honest baselines.

Recurrence h_t = f(h_{t−1}, x_t) over a window of w scaled values; a Dense layer reads the
forecast of the next h values from the last state. Early stopping watches the validation loss.
Metrics (prices, test period): `test_rmse` against `baseline_rmse` (persistence, "tomorrow =
today", on the same targets), MAE, MAPE and direction accuracy, for the model and each baseline.
"""

from __future__ import annotations

import numpy as np

from dl_core.data.stocks import AUTO, BUILTIN_SOURCES, load_series
from dl_core.params import Param, Schema
from dl_core.spec import TopicSpec, TrainContext, TrainResult
from dl_core.topics.lstm import forecasting as fc

RECURSIVE_STEPS = 60
FUTURE_STEPS = 20
PREVIEW_POINTS = 150
GATE_WINDOWS = 400  # test windows kept for the gate view (the page picks one)
TIE_MARGIN = 0.01  # beating persistence by less than 1 % RMSE is not beating it

FORM_PARAMS = (
    Param("source", "str", "synthetic", "Built-in series, used when no CSV is given: synthetic "
          "daily prices, or real weekly prices from plotly", choices=BUILTIN_SOURCES),
    Param("target", "str", "log_return", "What the network predicts: tomorrow's log-return "
          "(honest) or tomorrow's price", choices=fc.TARGETS),
    Param("cell", "str", "lstm", "Recurrent layer", choices=("lstm", "gru", "simple_rnn")),
    Param("layers", "int", 1, "Stacked recurrent layers", min=1, max=3),
    Param("units", "int", 32, "Units (size of h_t) per layer", min=4, max=128),
    Param("window", "int", 30, "Input window w: how many past values the network reads", min=5, max=120),
    Param("horizon", "int", 1, "Values predicted at once (h)", min=1, max=20),
    Param("dropout", "float", 0.0, "Dropout after each recurrent layer", min=0.0, max=0.5),
    Param("epochs", "int", 30, "Most passes over the training windows (early stopping may end sooner)",
          min=1, max=200),
    Param("patience", "int", 5, "Early stopping: epochs without a better validation loss", min=1, max=30),
    Param("learning_rate", "float", 0.001, "Adam step size", min=0.0001, max=0.01, log=True),
    Param("batch_size", "int", 32, "Windows per gradient step", choices=(16, 32, 64, 128)),
    Param("ma_span", "int", 5, "Days averaged by the moving-average baseline", min=2, max=60),
)
COLUMN_PARAMS = (
    Param("date_column", "str", AUTO, "CSV column with the dates (auto: Date)"),
    Param("value_column", "str", AUTO, "CSV column to forecast (auto: Adj Close, else Close)"),
)
FORM_SCHEMA = Schema(FORM_PARAMS)  # the page's form; the columns are picked beside the upload
SCHEMA = Schema(FORM_PARAMS + COLUMN_PARAMS)


def dataset_fingerprint(params: dict, data: str | None) -> str:
    """Hashes the CSV's bytes (and the columns used), or names the built-in series."""
    return load(params, data).fingerprint


def load(params: dict, data: str | None):
    return load_series(params["source"], data, params["date_column"], params["value_column"])


def prepare(params: dict, data: str | None):
    """(series, prepared windows); raises ValueError with a learner-facing message."""
    series = load(params, data)
    return series, fc.prepare(series.values, params["target"], params["window"], params["horizon"])


def build_model(params: dict):
    from dl_core.models.recurrent import build_forecaster

    return build_forecaster(cell=params["cell"], window=params["window"], horizon=params["horizon"],
                            num_layers=params["layers"], units=params["units"],
                            dropout=params["dropout"])


def evaluate(prepared: fc.Prepared, predicted: dict[str, np.ndarray], ma_span: int) -> dict:
    """Scores of the model and both baselines on validation and test (prices)."""
    prices, h = prepared.prices, prepared.horizon
    metrics = {}
    for split in ("val", "test"):
        anchors = prepared.anchors[split]
        actual, last = fc.truth(prices, anchors, h), prices[anchors]
        candidates = {"model": prepared.to_prices(anchors, predicted[split]),
                      "persistence": fc.persistence(prices, anchors, h),
                      "moving_average": fc.moving_average(prices, anchors, h, ma_span)}
        for name, forecast in candidates.items():
            for score, value in fc.scores(forecast, actual, last).items():
                metrics[f"{split}_{name}_{score}"] = value
    metrics.update({
        "val_rmse": metrics["val_model_rmse"], "test_rmse": metrics["test_model_rmse"],
        "baseline_rmse": metrics["test_persistence_rmse"],
        "direction_accuracy": metrics["test_model_direction_accuracy"],
    })
    metrics["rmse_ratio"] = metrics["test_rmse"] / metrics["baseline_rmse"]
    test = prepared.anchors["test"]
    one_step = prepared.to_prices(test, predicted["test"])[:, 0]
    metrics["lag_rmse"] = fc.rmse(one_step, prices[test])  # distance to *yesterday's* price
    return metrics


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.topics.lstm.line_image import line_image
    from dl_core.training import ProgressCallback

    series, prepared = prepare(params, data)
    x = {s: prepared.inputs(s) for s in fc.SPLITS}
    y = {s: prepared.targets(s) for s in fc.SPLITS}
    model = build_model(params)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]), loss="mse")

    val_anchors = prepared.anchors["val"][-PREVIEW_POINTS:]
    val_truth = fc.truth(prepared.prices, val_anchors, 1)[:, 0]

    def preview(m):
        scaled = keras.ops.convert_to_numpy(m(x["val"][-PREVIEW_POINTS:], training=False))
        forecast = prepared.to_prices(val_anchors, scaled)[:, 0]
        return line_image([val_truth, forecast], [(120, 120, 120), (59, 91, 219)])

    steps = int(np.ceil(len(x["train"]) / params["batch_size"]))
    progress = ProgressCallback(ctx, params["epochs"], steps, preview)
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=params["patience"],
                                            restore_best_weights=True)
    # shuffle=True mixes windows *within* the training period only; time order across the
    # split is untouched because every validation/test target lies after every training target.
    model.fit(x["train"], y["train"], validation_data=(x["val"], y["val"]), epochs=params["epochs"],
              batch_size=params["batch_size"], callbacks=[progress, stopper], verbose=0, shuffle=True)

    predicted = {s: model.predict(x[s], batch_size=256, verbose=0) for s in ("val", "test")}
    metrics = evaluate(prepared, predicted, params["ma_span"])
    predict = _one_step(model)
    artifacts = _artifacts(series, prepared, predicted, predict, params)
    info = {"builder": "build_forecaster", "model_module": "dl_core/models/recurrent.py",
            "bounds": list(prepared.bounds), "best_epoch": _best_epoch(progress.history),
            "stopped_early": len(progress.history.get("loss", [])) < params["epochs"],
            "scaler": {"mean": prepared.mean, "std": prepared.std},
            "recurrent_layer": f"{params['cell']}_1"}
    info_set = series.info(len(x["train"]), len(x["val"]))
    return TrainResult(model, metrics, progress.history, info_set, progress.previews, artifacts, info)


def _one_step(model):
    import keras

    return lambda window: keras.ops.convert_to_numpy(model(window, training=False))


def _artifacts(series, prepared, predicted, predict, params) -> dict[str, np.ndarray]:
    prices, h = prepared.prices, prepared.horizon
    test = prepared.anchors["test"]
    start = prepared.bounds[1] - 1  # the last validation day: forecast the test period from it
    steps = min(RECURSIVE_STEPS, len(prices) - 1 - start)
    future = fc.recursive_forecast(predict, prepared, len(prices) - 1, FUTURE_STEPS)
    direct = prepared.to_prices(np.array([len(prices) - 1]),
                                predict(prepared.windows_at(np.array([len(prices) - 1]))))[0]
    return {
        "dates": series.dates, "prices": prices.astype(np.float64),
        "test_anchors": test, "test_forecast": prepared.to_prices(test, predicted["test"]),
        "test_ma": fc.moving_average(prices, test, h, params["ma_span"]),
        "recursive": fc.recursive_forecast(predict, prepared, start, steps),
        "recursive_start": np.array([start]),
        "future": future, "future_dates": fc.future_dates(series.dates, FUTURE_STEPS),
        "future_direct": direct,
        "gate_windows": prepared.windows_at(test[-GATE_WINDOWS:]),
        "gate_anchors": test[-GATE_WINDOWS:],
    }


def _best_epoch(history: dict) -> int:
    losses = history.get("val_loss") or [0.0]
    return int(np.argmin(losses)) + 1


def gate_activations(model_path, window: np.ndarray, layer: str) -> dict[str, np.ndarray]:
    """Gates of the cached model's first LSTM layer on one scaled window (time × 1)."""
    from dl_core.inference import load_shared
    from dl_core.topics.lstm.gates import layer_weights, lstm_gates

    shared = load_shared(model_path)
    with shared.lock:
        weights = layer_weights(shared.model.get_layer(layer))
    return lstm_gates(window, *weights)


TOPIC = TopicSpec(
    name="lstm",
    title="Stock LSTM",
    summary="Forecast prices from windows with an LSTM/GRU/SimpleRNN against persistence.",
    version=1,
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
    data_help="a CSV with a date column and a numeric price column (Yahoo export: Date,…,Close,Adj Close,…; "
              "; or tab separators, decimal commas and day-first dates are detected)",
)

"""Why LSTMs remember: SimpleRNN and LSTM on the same recall task, for several lags k.

One network per cell sees every lag (the mark moves from sample to sample), so the whole
comparison is two small trainings. Metrics: validation accuracy per lag for each cell, and the
gradient's factor per step back (`decay_per_step`) before and after training. Artifacts: the
accuracies, and the batch mean of ‖∂L/∂x_{T−k}‖ for k = 0 … T−1 before and after training
(`gradient_by_lag`, indexed by k like the task's lag).
"""

from __future__ import annotations

import numpy as np

from dl_core.params import Param, Schema
from dl_core.spec import DatasetInfo, TopicSpec, TrainContext, TrainResult
from dl_core.topics.lstm.memory_task import (
    accuracy_per_lag,
    decay_per_step,
    gradient_by_lag,
    lags_up_to,
    recall_data,
    sequence_length,
)

CELLS = ("simple_rnn", "lstm")
VAL_SAMPLES = 512
GRADIENT_SAMPLES = 256
BATCH = 128

SCHEMA = Schema((
    Param("longest_lag", "int", 30, "Largest k: how far back the network must remember", min=5, max=60),
    Param("memory_units", "int", 16, "Units of each recurrent layer", min=4, max=64),
    Param("memory_samples", "int", 2000, "Training sequences", min=500, max=8000),
    Param("memory_epochs", "int", 10, "Passes over the training sequences", min=1, max=60),
    Param("memory_learning_rate", "float", 0.02, "Adam step size", min=0.0001, max=0.05, log=True),
))


def dataset_fingerprint(params: dict, data: str | None) -> str:
    # Generated from the seed and params, which are in the key already; v3: the mark sits at x_{T−k}.
    return "recall-values-v3"


class _EpochOffset(TrainContext):
    """Numbers the second network's epochs after the first's, so progress runs 0 → 100 % once."""

    def __init__(self, ctx: TrainContext, offset: int):
        super().__init__()
        self._outer, self._offset = ctx, offset

    def emit(self, kind: str, **data) -> None:
        if "epoch" in data:
            data["epoch"] += self._offset
        self._outer.emit(kind, **data)

    def emit_batch(self, **data) -> None:
        data["epoch"] += self._offset
        self._outer.emit_batch(**data)

    def should_stop(self) -> bool:
        return self._outer.should_stop()


def task_shape(params: dict) -> tuple[list[int], int]:
    lags = lags_up_to(params["longest_lag"])
    return lags, sequence_length(lags)


def train(params: dict, ctx: TrainContext, data: str | None = None) -> TrainResult:
    import keras

    from dl_core.models.recurrent import build_memory_classifier
    from dl_core.training import ProgressCallback

    lags, length = task_shape(params)
    x, y, _ = recall_data(params["memory_samples"], lags, seed=1)
    x_val, y_val, k_val = recall_data(VAL_SAMPLES, lags, seed=2)
    history, artifacts, metrics, nets = {}, {"lags": np.asarray(lags)}, {}, []
    batch = BATCH
    for index, cell in enumerate(CELLS):
        ctx.check_stop()
        model = build_memory_classifier(cell, length, params["memory_units"])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["memory_learning_rate"]),
                      loss="mse")
        artifacts[f"{cell}_grad_init"] = gradient_by_lag(model, x_val[:GRADIENT_SAMPLES],
                                                         y_val[:GRADIENT_SAMPLES])
        progress = ProgressCallback(_EpochOffset(ctx, index * params["memory_epochs"]),
                                    params["memory_epochs"] * len(CELLS),
                                    int(np.ceil(len(x) / batch)))
        model.fit(x, y, validation_data=(x_val, y_val), epochs=params["memory_epochs"], batch_size=batch,
                  callbacks=[progress], verbose=0, shuffle=True)
        for name, values in progress.history.items():
            history[f"{cell}_{name}"] = values
        accuracy = accuracy_per_lag(model.predict(x_val, batch_size=256, verbose=0), y_val, k_val,
                                    lags)
        artifacts[f"{cell}_accuracy"] = accuracy
        artifacts[f"{cell}_grad_trained"] = gradient_by_lag(model, x_val[:GRADIENT_SAMPLES],
                                                            y_val[:GRADIENT_SAMPLES])
        for stage in ("init", "trained"):
            metrics[f"{cell}_grad_decay_{stage}"] = decay_per_step(artifacts[f"{cell}_grad_{stage}"])
        metrics[f"{cell}_mean_accuracy"] = float(accuracy.mean())
        metrics[f"{cell}_accuracy_longest_lag"] = float(accuracy[-1])
        nets.append(model)
    model = _side_by_side(nets, length)
    info = {"lags": lags, "sequence_length": length, "builder": "build_memory_classifier",
            "model_module": "dl_core/models/recurrent.py"}
    dataset = DatasetInfo("recall task (generated numbers)", "builtin", len(x), len(x_val),
                          dataset_fingerprint(params, data),
                          "Random numbers in [−1, 1], one marked k steps before the end; the target is the marked number.")
    return TrainResult(model, metrics, history, dataset, [], artifacts, info)


def _side_by_side(nets, length: int):
    """One saveable model holding both trained networks (outputs: SimpleRNN's, LSTM's)."""
    import keras

    inputs = keras.Input(shape=(length, 2), name="values_and_mark")
    return keras.Model(inputs, [net(inputs) for net in nets], name="rnn_vs_lstm")


TOPIC = TopicSpec(
    name="lstm_memory",
    title="Why LSTMs remember",
    summary="SimpleRNN vs LSTM on recalling a number k steps back; gradients through time.",
    version=3,  # 3: mark at x_{T−k}, gradients indexed by k, decay factors
    schema=SCHEMA,
    train=train,
    dataset_fingerprint=dataset_fingerprint,
)

"""Keras-side helpers shared by every topic's train(): seeding and live progress.

Imported only inside training code, because it imports Keras.
"""

from __future__ import annotations

import time
from typing import Callable

import keras
import numpy as np

from dl_core.spec import TrainContext


def set_seed(seed: int) -> None:
    keras.utils.set_random_seed(int(seed))


class ProgressCallback(keras.callbacks.Callback):
    """Reports batches and epochs to the engine, renders the topic's preview, honours cancel.

    `preview` maps the model to one uint8 image; it is called before the first epoch (epoch 0,
    the untrained model) and after every epoch, so the page can scrub through training.
    """

    def __init__(self, ctx: TrainContext, epochs: int, steps_per_epoch: int,
                 preview: Callable[[keras.Model], np.ndarray] | None = None,
                 unit: str = "epoch", step_unit: str = "batch"):
        """`unit` / `step_unit`: what the page calls an epoch and a batch of this training (the toy
        GAN's "epochs" are snapshots of generator steps, for instance)."""
        super().__init__()
        self.ctx = ctx
        self.units = {"unit": unit, "step_unit": step_unit}
        self.epochs = epochs
        self.steps_per_epoch = steps_per_epoch
        self.preview = preview
        self.previews: list[np.ndarray] = []
        self.history: dict[str, list[float]] = {}
        self._epoch = 0
        self._started = time.monotonic()

    def on_train_begin(self, logs=None):
        self._started = time.monotonic()
        self._add_preview(epoch=0)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1
        self._epoch_started = time.monotonic()
        self._epoch_cpu_started = time.process_time()

    def on_train_batch_end(self, batch, logs=None):
        if self.ctx.should_stop():
            self.model.stop_training = True
        # Converting logs to floats waits for the device: do it only when an update is due.
        if self.ctx.batch_due():
            self.ctx.emit("batch", epoch=self._epoch, epochs=self.epochs, batch=batch + 1,
                          batches=self.steps_per_epoch, logs=_floats(logs), **self.units)

    def on_epoch_end(self, epoch, logs=None):
        for name, value in _floats(logs).items():
            self.history.setdefault(name, []).append(value)
        self._add_preview(epoch=epoch + 1)
        now = time.monotonic()
        # Epoch time includes our own preview and reporting: that is the engine's overhead.
        self.ctx.emit("epoch", epoch=epoch + 1, epochs=self.epochs, logs=_floats(logs), **self.units,
                      seconds=now - self._started, epoch_seconds=now - self._epoch_started,
                      epoch_cpu_seconds=time.process_time() - self._epoch_cpu_started)
        if self.ctx.should_stop():
            self.model.stop_training = True

    def _add_preview(self, epoch: int) -> None:
        if self.preview is None:
            return
        image = np.asarray(self.preview(self.model), dtype=np.uint8)
        self.previews.append(image)
        self.ctx.emit("preview", epoch=epoch, image=image)


def _floats(logs) -> dict[str, float]:
    return {name: float(value) for name, value in (logs or {}).items()}

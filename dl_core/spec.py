"""What every trainable topic provides, and what the engine hands it while it trains.

A topic module defines `TOPIC = TopicSpec(...)` at import time without importing Keras, so that
listing topics, validating parameters and computing cache keys stays cheap (the home page and the
command line's `topics` never pay for TensorFlow). Keras is imported inside `train()`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from dl_core.params import Schema

if TYPE_CHECKING:  # the engine's cache entry; a topic only reads it
    from dl_core.engine.cache import Entry

# The engine's answer to "this topic needs that setting of another topic trained":
# (topic, params, data, train_if_missing, stage title) -> the entry, or None when missing and not
# to be trained.
Dependencies = Callable[[str, dict, "str | None", bool, "str | None"], "Entry | None"]


@dataclass(frozen=True)
class DatasetInfo:
    name: str  # e.g. "MNIST", "built-in digits"
    source: str  # "real" | "builtin" | "upload"
    train: int
    val: int
    fingerprint: str  # content identity: goes into the cache key
    note: str = ""  # shown to the learner, e.g. why the built-in set is used

    def to_json(self) -> dict:
        return {"name": self.name, "source": self.source, "train": self.train, "val": self.val,
                "note": self.note}


@dataclass
class TrainResult:
    model: Any  # keras.Model saved as model.keras
    metrics: dict[str, float]
    history: dict[str, list[float]]
    dataset: DatasetInfo
    previews: list[np.ndarray] = field(default_factory=list)  # one uint8 image per epoch, epoch 0 first
    artifacts: dict[str, np.ndarray] = field(default_factory=dict)  # extra arrays for the page
    info: dict[str, Any] = field(default_factory=dict)  # extra JSON facts (model code, notes)


class StopRequested(Exception):
    """Raised inside training when the learner cancelled: nothing reaches the cache."""


class TrainContext:
    """The engine's side of a training run: progress out, cancellation in, dependencies on demand.

    `emit` receives plain dicts (JSON-able, plus numpy preview images) and must be cheap: the
    batch-level events are throttled here so a fast model cannot flood the UI.
    `require` hands a topic another topic's trained model (our own pretrained source, the GAN's
    digit judge) through the engine's cache and lock, so no topic imports the engine.

    A training of several parts declares them with `plan` and enters each with `begin`, so the
    page can say which part runs and how far the whole job is (a stage's own progress comes from
    its epochs and batches, or from the dependency trained in it).
    """

    def __init__(self, emit: Callable[[dict], None] | None = None,
                 should_stop: Callable[[], bool] | None = None, batch_interval_s: float = 0.25,
                 dependencies: Dependencies | None = None):
        self._emit = emit or (lambda event: None)
        self._should_stop = should_stop or (lambda: False)
        self.dependencies = dependencies  # set by the engine's runner before train() is called
        self._batch_interval_s = batch_interval_s
        self._last_batch_emit = 0.0
        self.epoch_seconds: list[float] = []  # wall time of each epoch, kept in the cache metadata
        self.epoch_cpu_seconds: list[float] = []  # CPU time of the process: steadier on a busy machine
        self.stages: list[str] = []
        self.stage: str | None = None  # the stage running now, if the training declared any
        self.used: list[tuple[str, str]] = []  # (topic, key) of every cached model it required

    def plan(self, *stages: tuple[str, float]) -> None:
        """The parts of this training, in order, each with a weight: its rough share of the time
        (only the ratios matter; a stage that turns out not to be needed is simply skipped)."""
        self.stages = [title for title, _ in stages]
        self.emit("plan", stages=[[title, float(weight)] for title, weight in stages])

    def begin(self, title: str | None) -> None:
        """Enter a stage of the plan (a title the plan lacks is added before the rest); None
        leaves staged progress."""
        self.stage = title
        self.emit("stage", title=title)

    def emit(self, kind: str, **data: Any) -> None:
        if kind == "epoch" and "epoch_seconds" in data:
            self.epoch_seconds.append(round(float(data["epoch_seconds"]), 4))
            self.epoch_cpu_seconds.append(round(float(data.get("epoch_cpu_seconds", 0.0)), 4))
        self._emit({"kind": kind, **data})

    def batch_due(self) -> bool:
        """True at most every `batch_interval_s`: callers build the batch event only then."""
        now = time.monotonic()
        if now - self._last_batch_emit < self._batch_interval_s:
            return False
        self._last_batch_emit = now
        return True

    def should_stop(self) -> bool:
        return self._should_stop()

    def check_stop(self) -> None:
        if self._should_stop():
            raise StopRequested("training was cancelled")

    def require(self, topic: str, params: dict, data: str | None = None,
                stage: str | None = None) -> "Entry":
        """Another topic's trained model: from the cache, or trained now as a stage of this job
        (the plan's stage `stage` when given, else one named after the topic)."""
        return self._dependency(topic, params, data, True, stage)

    def cached(self, topic: str, params: dict, data: str | None = None) -> "Entry | None":
        """Another topic's trained model if it is already in the cache; never trains."""
        return self._dependency(topic, params, data, False, None)

    def _dependency(self, topic: str, params: dict, data: str | None, train: bool,
                    stage: str | None):
        if self.dependencies is None:
            raise RuntimeError(f"{topic!r} is needed, but this training context has no engine "
                               "behind it: train through dl_core.engine.runner.train_or_load")
        return self.dependencies(topic, params, data, train, stage)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    title: str
    summary: str
    version: int  # bump when the topic's code changes what a trained model means
    schema: Schema
    train: Callable[[dict, TrainContext, str | None], TrainResult]
    dataset_fingerprint: Callable[[dict, str | None], str]
    data_help: str | None = None  # what --data PATH means for this topic; None = not accepted
    gpu: bool = False  # convolutional training that a GPU speeds up: a Ray task asks for one

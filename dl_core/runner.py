"""Resolve a request to a cache key, and train it exactly once.

Shared by the job worker, the command line, the tests and the benchmarks, so that "trained once
per distinct setting" holds across all of them: a cross-process lock per key is held while
training, and whoever gets it second finds the finished entry.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass

from dl_core.cache import Entry, ModelCache, make_key
from dl_core.topics import get_topic
from dl_core.topics.base import StopRequested, TopicSpec, TrainContext


@dataclass(frozen=True)
class Resolved:
    """A validated request: canonical params plus the dataset identity, hence the cache key."""

    spec: TopicSpec
    params: dict
    seed: int
    data: str | None
    fingerprint: str
    key: str

    @property
    def topic(self) -> str:
        return self.spec.name


def resolve(topic: str, params: dict | None = None, seed: int = 0,
            data: str | None = None) -> Resolved:
    """Validate `params` against the topic's schema and compute the cache key.

    Raises ParamError (a ValueError) with a one-line message on bad input.
    """
    spec = get_topic(topic)
    canonical = spec.schema.canonical(params)
    if data is not None and spec.data_help is None:
        raise ValueError(f"topic {topic!r} does not take --data")
    fingerprint = spec.dataset_fingerprint(canonical, data)
    key = make_key(spec.name, spec.version, canonical, fingerprint, int(seed))
    return Resolved(spec, canonical, int(seed), data, fingerprint, key)


def lookup(resolved: Resolved, cache: ModelCache) -> Entry | None:
    return cache.get(resolved.topic, resolved.key)


def train_or_load(resolved: Resolved, cache: ModelCache,
                  ctx: TrainContext | None = None) -> tuple[Entry, bool]:
    """Return (entry, was_cached). Trains under the key's lock when nothing is cached."""
    entry = lookup(resolved, cache)
    if entry is not None:
        return entry, True
    ctx = ctx or TrainContext()
    with cache.lock(resolved.key):
        entry = lookup(resolved, cache)  # someone else may have finished while we waited
        if entry is not None:
            return entry, True
        return _train_and_store(resolved, cache, ctx), False


def _train_and_store(resolved: Resolved, cache: ModelCache, ctx: TrainContext) -> Entry:
    from dl_core.devices import configure_training_device
    from dl_core.training import set_seed

    device = configure_training_device()
    set_seed(resolved.seed)
    ctx.emit("start", topic=resolved.topic, key=resolved.key, device=device)
    started = time.perf_counter()
    result = resolved.spec.train(resolved.params, ctx, resolved.data)
    seconds = time.perf_counter() - started
    ctx.check_stop()  # a cancel that arrived during the last epoch still means "do not keep"
    meta = {
        "topic": resolved.topic, "params": resolved.params, "seed": resolved.seed,
        "metrics": result.metrics, "history": result.history,
        "dataset": result.dataset.to_json(), "seconds": round(seconds, 3),
        "device": device, "versions": _versions(), "info": result.info,
        "epochs_trained": len(ctx.epoch_seconds), "epoch_seconds": ctx.epoch_seconds,
        "epoch_cpu_seconds": ctx.epoch_cpu_seconds,
    }
    entry = cache.put(resolved.topic, resolved.key, meta, result.model,
                      result.previews, result.artifacts)
    ctx.emit("stored", key=resolved.key, seconds=seconds)
    return entry


def _versions() -> dict:
    import keras

    versions = {"keras": keras.__version__, "backend": keras.backend.backend(),
                "python": platform.python_version()}
    if versions["backend"] == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    return versions


__all__ = ["Resolved", "resolve", "lookup", "train_or_load", "StopRequested"]

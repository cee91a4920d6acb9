"""Resolve a request to a cache key, and train it exactly once.

Shared by the job worker, the command line, the tests and the benchmarks, so that "trained once
per distinct setting" holds across all of them: a cross-process lock per key is held while
training, and whoever gets it second finds the finished entry.
"""

from __future__ import annotations

import functools
import platform
import time

from dl_core.engine.cache import Entry, ModelCache
from dl_core.keys import Resolved, resolve
from dl_core.spec import StopRequested, TrainContext

DEPENDENCY_SEED = 0  # a dependency is shared by every seed of the topics that need it


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
    ctx.dependencies = functools.partial(_dependency, cache, ctx)
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


def _dependency(cache: ModelCache, parent: TrainContext, topic: str, params: dict,
                data: str | None, train: bool, stage: str | None) -> Entry | None:
    """What `TrainContext.require` / `cached` do: the same cache and lock as any request, the
    dependency trained as a stage of the parent job (its progress is that stage's progress, its
    epochs never enter the parent's history), the parent's cancel obeyed."""
    resolved = resolve(topic, params, DEPENDENCY_SEED, data)
    entry = lookup(resolved, cache)
    if entry is not None or not train:
        if entry is not None:
            parent.used.append((entry.topic, entry.key))
        return entry
    outer, title = parent.stage, stage or f"training {resolved.spec.title} first (this run builds on it)"
    parent.begin(title)
    child = TrainContext(emit=functools.partial(_as_stage_progress, parent),
                         should_stop=parent.should_stop)
    try:
        entry, _ = train_or_load(resolved, cache, child)
        parent.used.append((entry.topic, entry.key))
    finally:
        # A stage the topic planned is followed by the topic's next one; an unplanned one was an
        # interruption: back to where the parent was, for its own epochs.
        if title not in parent.stages:
            parent.begin(outer)
    return entry


def _as_stage_progress(parent: TrainContext, event: dict) -> None:
    """A dependency's epochs and (throttled) batches, as the parent's current stage's progress."""
    if event.get("kind") not in ("batch", "epoch"):
        return
    epoch, epochs = event["epoch"], event["epochs"]
    batch, batches = event.get("batch", 0), event.get("batches", 0)
    if event["kind"] == "epoch":
        done, detail = epoch, f"epoch {epoch}/{epochs}"
    else:
        done = epoch - 1 + (batch / batches if batches else 0.0)
        detail = f"epoch {epoch}/{epochs} · batch {batch}/{batches}"
    parent.emit("stage_progress", fraction=min(1.0, done / epochs) if epochs else 0.0, text=detail)


def _versions() -> dict:
    import keras

    versions = {"keras": keras.__version__, "backend": keras.backend.backend(),
                "python": platform.python_version()}
    if versions["backend"] == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    if versions["backend"] == "jax":
        import jax

        versions["jax"] = jax.__version__
    return versions


__all__ = ["Resolved", "resolve", "lookup", "train_or_load", "StopRequested"]

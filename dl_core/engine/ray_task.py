"""What runs inside one Ray task: one training, in a fresh process, on any node of the cluster.

The task trains into its node's own cache (that node's DL_LAB_CACHE_DIR), exactly once per key
under the key's lock as everywhere else, and returns the finished entry as bytes (plus the
cached models it required), so the app's side needs no shared disk. Progress goes to the hub
actor in small batches; the cancel flag is read from it at most twice a second. A cancel or a
failure is returned as plain data; only a crash of the process itself reaches the caller as
a Ray error.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback

FLUSH_S = 0.25  # batch events wait at most this long before they travel to the hub
STOP_CHECK_S = 0.5  # how often the callback asks the hub whether to stop
PROMPT = ("start", "plan", "stage", "epoch", "preview", "stored", "note")  # sent at once


class HubReporter:
    """A TrainContext's `emit` and `should_stop`, backed by the hub actor."""

    def __init__(self, hub, token: str):
        self.hub, self.token = hub, token
        self._buffer: list[dict] = []
        self._last_flush = time.monotonic()
        self._last_check = 0.0
        self._stop = False
        self._pending = None

    def emit(self, event: dict) -> None:
        self._buffer.append(event)
        if event.get("kind") in PROMPT or time.monotonic() - self._last_flush >= FLUSH_S:
            self.flush()

    def flush(self, wait: bool = False) -> None:
        import ray

        if self._buffer:
            # Calls from one caller reach an actor in order: no need to wait for each.
            self._pending = self.hub.push.remote(self.token, self._buffer)
            self._buffer = []
        self._last_flush = time.monotonic()
        if wait and self._pending is not None:
            ray.get(self._pending)

    def should_stop(self) -> bool:
        import ray

        now = time.monotonic()
        if not self._stop and now - self._last_check >= STOP_CHECK_S:
            self._last_check = now
            self._stop = bool(ray.get(self.hub.should_stop.remote(self.token)))
        return self._stop


def run_training(task: dict, token: str, hub, packed_data: dict | None) -> dict:
    """{"entries": [packed main entry, packed dependencies...], "hit"} or {"cancelled": True} or
    {"error", "traceback"}."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    reporter = HubReporter(hub, token)
    reporter.emit({"kind": "note", "text": "training on the Ray cluster", "pid": os.getpid()})
    with tempfile.TemporaryDirectory(prefix="dl-lab-ray-data-") as scratch:
        try:
            return _train(task, reporter, packed_data, scratch)
        finally:
            reporter.flush(wait=True)


def _train(task: dict, reporter: HubReporter, packed_data: dict | None, scratch: str) -> dict:
    from dl_core.engine.bundle import pack_entry, unpack_data
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load
    from dl_core.spec import StopRequested, TrainContext

    ctx = TrainContext(emit=reporter.emit, should_stop=reporter.should_stop)
    try:
        data = unpack_data(packed_data, scratch) if packed_data else task["data"]
        resolved = resolve(task["topic"], task["params"], task["seed"], data)
        if resolved.key != task["key"]:
            raise RuntimeError("this Ray node sees other data for this setting than the app does "
                               "(a real dataset present on one and not the other?): give the nodes "
                               "the same datasets and DL_LAB_* settings as the app")
        cache = ModelCache()  # this node's own cache
        entry, hit = train_or_load(resolved, cache, ctx)
        used = [cache.get(topic, key) for topic, key in ctx.used]
        return {"hit": hit, "entries": [pack_entry(e) for e in [entry, *used] if e is not None]}
    except StopRequested:
        return {"cancelled": True}
    except Exception as err:  # any failure becomes a readable message on the page
        return {"error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc()}
    finally:
        import gc

        import keras

        keras.backend.clear_session()
        gc.collect()

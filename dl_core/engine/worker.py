"""The training worker process: TensorFlow imported once, jobs run one after another.

Started by `dl_core.engine.jobs` with the spawn method (a clean interpreter: TF and fork do not mix).
It talks to its manager with plain data only, so it could as well live on another machine:
  in:  task dicts on `tasks` (None = exit), a cancel flag (`cancel` event)
  out: (worker_id, job_id, event_dict) tuples on `events`
It retires itself after `max_jobs` jobs or when its memory passes `max_rss_mb`, because repeated
fit() in one process leaks, and a fresh process is the only reliable way to give it back.
"""

from __future__ import annotations

import gc
import os
import traceback


def worker_main(worker_id: int, tasks, events, cancel, config: dict) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import logging

    import keras  # noqa: F401  (warm start: pay the import once, before the first job)

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notices are not for learners
    import psutil

    from dl_core.engine.cache import ModelCache

    cache = ModelCache(config.get("cache_dir"))
    events.put((worker_id, None, {"kind": "ready", "pid": os.getpid()}))
    done = 0
    while True:
        task = tasks.get()
        if task is None:
            return
        _run_task(worker_id, task, cache, events, cancel)
        done += 1
        rss_mb = psutil.Process().memory_info().rss / 2**20
        events.put((worker_id, None, {"kind": "idle", "jobs_done": done, "rss_mb": rss_mb}))
        if done >= config.get("max_jobs", 20) or rss_mb >= config.get("max_rss_mb", 4096):
            events.put((worker_id, None, {"kind": "retire", "jobs_done": done, "rss_mb": rss_mb}))
            return


def _run_task(worker_id: int, task: dict, cache, events, cancel) -> None:
    import keras

    from dl_core.engine.runner import resolve, train_or_load
    from dl_core.spec import StopRequested, TrainContext

    job_id = task["job_id"]

    def emit(event: dict) -> None:
        events.put((worker_id, job_id, event))

    ctx = TrainContext(emit=emit, should_stop=cancel.is_set,
                       batch_interval_s=task.get("batch_interval_s", 0.25))
    try:
        resolved = resolve(task["topic"], task["params"], task["seed"], task["data"])
        entry, hit = train_or_load(resolved, cache, ctx)
        emit({"kind": "done", "key": entry.key, "hit": hit})
    except StopRequested:
        emit({"kind": "cancelled"})
    except Exception as err:  # any failure becomes a readable message on the page
        emit({"kind": "error", "message": f"{type(err).__name__}: {err}",
              "traceback": traceback.format_exc()})
    finally:
        keras.backend.clear_session()
        gc.collect()

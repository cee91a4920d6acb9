"""The local executor: spawned worker processes on this machine, kept warm, recycled.

The JobManager (dl_core.engine.jobs) decides which job runs when; this module only runs them.
Workers (dl_core.engine.worker) talk plain data over queues. The executor supervises them: a
dead worker fails its job with a readable message and is replaced; a worker that does not honour
a cancel within `stuck_timeout_s` is killed (the only way left to stop a fit() that ignores us).

The executor interface, shared with dl_core.engine.ray_executor:
  free_slots() -> int          how many more jobs could start now
  start(job_id, task)          run one task dict (topic, params, seed, data, key)
  cancel(job_id)               ask the job to stop (cooperatively first)
  poll(timeout) -> [(job_id, event)]   progress and terminal events ("done": the entry is in
                               the manager's cache now; "error"; "cancelled")
  pids(), describe(), shutdown(timeout)
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing as mp
import queue
import sys
import time
import types
from dataclasses import dataclass
from typing import Any

from dl_core import settings

log = logging.getLogger(__name__)

TERMINAL = ("done", "error", "cancelled")


@dataclass
class _Worker:
    worker_id: int
    process: Any
    tasks: Any
    cancel: Any
    job_id: str | None = None
    cancel_sent_at: float | None = None
    retiring: bool = False


class LocalExecutor:
    name = "local"

    def __init__(self, cache_dir: str, max_workers: int | None = None,
                 max_jobs_per_worker: int | None = None, max_rss_mb: float | None = None,
                 stuck_timeout_s: float = 20.0):
        self.max_workers = max_workers or settings.max_workers()
        self.config = {
            "cache_dir": cache_dir,
            "max_jobs": max_jobs_per_worker or settings.worker_max_jobs(),
            "max_rss_mb": max_rss_mb or float(settings.worker_max_rss_mb()),
        }
        self.stuck_timeout_s = stuck_timeout_s
        self._ctx = mp.get_context("spawn")
        self._events = self._ctx.Queue()
        self._workers: dict[int, _Worker] = {}
        self._ids = itertools.count(1)
        self._closed = False

    # -- the executor interface ----------------------------------------------------------------
    def free_slots(self) -> int:
        if self._closed:
            return 0
        idle = sum(1 for w in self._workers.values()
                   if w.job_id is None and not w.retiring and w.process.is_alive())
        live = sum(1 for w in self._workers.values() if not w.retiring)
        return idle + max(0, self.max_workers - live)

    def start(self, job_id: str, task: dict) -> None:
        worker = self._idle_worker() or self._start_worker()
        if worker is None:
            raise RuntimeError("no free worker: the manager asked past free_slots()")
        worker.job_id, worker.cancel_sent_at = job_id, None
        worker.cancel.clear()
        worker.tasks.put(task)

    def cancel(self, job_id: str) -> None:
        for worker in self._workers.values():
            if worker.job_id == job_id:
                worker.cancel.set()
                worker.cancel_sent_at = time.monotonic()

    def poll(self, timeout: float) -> list[tuple[str, dict]]:
        """Events from the workers (waiting up to `timeout` for the first), then supervision."""
        events = []
        try:
            item = self._events.get(timeout=timeout)
            while True:
                events.extend(self._receive(*item))
                item = self._events.get_nowait()
        except queue.Empty:
            pass
        except (OSError, EOFError, ValueError):
            time.sleep(timeout)  # queue torn down at interpreter exit
        return events + self._supervise()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers.values() if w.process.is_alive()]

    def describe(self) -> str:
        return f"on this machine, {self.max_workers} at a time"

    def idle(self) -> bool:
        return all(not w.process.is_alive() for w in self._workers.values())

    def shutdown(self, timeout: float = 10.0) -> None:
        self._closed = True
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel.set()
            try:
                worker.tasks.put(None)
            except (OSError, ValueError):
                pass
        for worker in workers:
            worker.process.join(timeout)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2)

    # -- workers -------------------------------------------------------------------------------
    def _idle_worker(self) -> _Worker | None:
        for worker in self._workers.values():
            if worker.job_id is None and not worker.retiring and worker.process.is_alive():
                return worker
        return None

    def _start_worker(self) -> _Worker | None:
        live = [w for w in self._workers.values() if not w.retiring]
        if len(live) >= self.max_workers:
            return None
        from dl_core.engine.worker import worker_main

        worker_id = next(self._ids)
        tasks, cancel = self._ctx.Queue(), self._ctx.Event()
        process = self._ctx.Process(target=worker_main, name=f"dl-lab-worker-{worker_id}",
                                    args=(worker_id, tasks, self._events, cancel, self.config),
                                    daemon=True)
        with _bare_main_module():
            process.start()
        worker = _Worker(worker_id, process, tasks, cancel)
        self._workers[worker_id] = worker
        return worker

    def _receive(self, worker_id: int, job_id: str | None, event: dict) -> list[tuple[str, dict]]:
        worker = self._workers.get(worker_id)
        if job_id is None:  # about the worker itself
            if event["kind"] == "retire" and worker is not None:
                log.info("recycling worker %d after %d jobs (%.0f MB resident)", worker_id,
                         event.get("jobs_done", 0), event.get("rss_mb", 0))
                worker.retiring = True
            return []
        if event["kind"] in TERMINAL and worker is not None and worker.job_id == job_id:
            worker.job_id = None
        return [(job_id, event)]

    def _supervise(self) -> list[tuple[str, dict]]:
        """A worker that ignored a cancel is killed; a dead worker's job ends, readably."""
        events = []
        now = time.monotonic()
        for worker_id, worker in list(self._workers.items()):
            stuck = (worker.cancel_sent_at is not None
                     and now - worker.cancel_sent_at > self.stuck_timeout_s)
            if stuck:
                log.warning("worker %d ignored a cancel for %.0f s: killed", worker_id, self.stuck_timeout_s)
                worker.process.kill()  # cooperative cancel failed: the only way left
                worker.process.join(5)
            if worker.process.is_alive():
                continue
            del self._workers[worker_id]
            if worker.job_id is None:
                continue
            if worker.cancel_sent_at is not None:
                events.append((worker.job_id, {"kind": "cancelled"}))
            else:
                code = worker.process.exitcode
                events.append((worker.job_id, {
                    "kind": "error", "message": f"the training process stopped unexpectedly "
                                                f"(exit code {code}); nothing was cached. Try again."}))
        return events


@contextlib.contextmanager
def _bare_main_module():
    """Hide the caller's __main__ from multiprocessing while a worker is spawned.

    Spawn re-imports the parent's __main__ in the child. Under Streamlit, __main__ is the page
    script being run, so every worker would execute the whole app once (without a browser)
    before training. The worker needs nothing from __main__: give it an empty module instead.
    """
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real

"""Training jobs off the UI thread: a queue, deduplication, worker processes, cancel.

A page never calls fit(). It calls `manager.request(topic, params)` and gets a `Ticket`:
  - `ticket.entry` set: the result was cached, show it at once;
  - `ticket.job_id` set: a job is queued or running (possibly started by another session for the
    same key); poll `manager.status(job_id)` for plain-data progress.

Jobs run in spawned worker processes (see `dl_core.engine.worker`), at most `max_workers` at a time.
A background thread in this process pumps the workers' events into per-job state and supervises
them: a dead worker fails its job with a readable message and is replaced; a worker that does
not honour a cancel within `stuck_timeout_s` is killed. Nothing reaches the cache unless training
finished (see `dl_core.engine.cache`), so a killed worker leaves no entry behind.

The interface (`request`, `status`, `cancel`, `wait`) is small on purpose: a Ray or Celery
backend could implement it too.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing as mp
import queue
import sys
import threading
import time
import types
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from dl_core import settings
from dl_core.engine.cache import Entry, ModelCache
from dl_core.engine.runner import Resolved, lookup, resolve
from dl_core.engine.status import ACTIVE, FINISHED, JobStatus, apply_event
from dl_core.engine.watchers import Watchers

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Ticket:
    resolved: Resolved
    entry: Entry | None = None
    job_id: str | None = None


@dataclass
class _Worker:
    worker_id: int
    process: Any
    tasks: Any
    cancel: Any
    job_id: str | None = None
    cancel_sent_at: float | None = None
    retiring: bool = False


class JobManager:
    def __init__(self, cache: ModelCache | None = None, max_workers: int | None = None,
                 max_jobs_per_worker: int | None = None, max_rss_mb: float | None = None,
                 stuck_timeout_s: float = 20.0, keep_finished_s: float = 3600.0):
        self.cache = cache or ModelCache()
        self.max_workers = max_workers or settings.max_workers()
        self.worker_config = {
            "cache_dir": str(self.cache.root),
            "max_jobs": max_jobs_per_worker or settings.worker_max_jobs(),
            "max_rss_mb": max_rss_mb or float(settings.worker_max_rss_mb()),
        }
        self.stuck_timeout_s = stuck_timeout_s
        self.keep_finished_s = keep_finished_s
        self._ctx = mp.get_context("spawn")
        self._events = self._ctx.Queue()
        self._lock = threading.RLock()
        self._jobs: dict[str, JobStatus] = {}
        self._by_key: dict[str, str] = {}  # key -> active job id (deduplication)
        self._pending: deque[str] = deque()
        self._resolved: dict[str, Resolved] = {}
        self._watchers = Watchers()
        self._workers: dict[int, _Worker] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._pump = threading.Thread(target=self._pump_loop, name="dl-lab-jobs", daemon=True)
        self._pump.start()

    # -- the page-facing interface -----------------------------------------------------------
    def request(self, topic: str, params: dict | None = None, seed: int = 0,
                data: str | None = None) -> Ticket:
        """Cached entry, or the id of a queued/running job for the same key (shared)."""
        resolved = resolve(topic, params, seed, data)
        entry = lookup(resolved, self.cache)
        if entry is not None:
            return Ticket(resolved, entry=entry)
        return Ticket(resolved, job_id=self.submit(resolved))

    def submit(self, resolved: Resolved, watcher: str | None = None) -> str:
        with self._lock:
            existing = self._by_key.get(resolved.key)
            if existing is not None:
                self._see(existing, watcher)
                return existing  # identical request from another session: share its job
            job_id = f"job-{next(self._ids)}"
            self._jobs[job_id] = JobStatus(job_id, resolved.topic, resolved.key, resolved.params,
                                           "queued", submitted=time.time())
            self._resolved[job_id] = resolved
            self._by_key[resolved.key] = job_id
            self._pending.append(job_id)
            self._see(job_id, watcher)
            self._dispatch()
            return job_id

    def status(self, job_id: str, watcher: str | None = None) -> JobStatus:
        """A snapshot of the job; `watcher` (a learner's page) polling it counts as watching."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise KeyError(f"no job {job_id!r} (finished jobs are forgotten after a while)")
            self._see(job_id, watcher)
            snapshot = replace(job, history={k: list(v) for k, v in job.history.items()},
                               previews=list(job.previews), logs=dict(job.logs),
                               watchers=len(self._watchers.active(job_id)))
            if job.state == "queued":
                snapshot.queue_position = self._pending.index(job_id) + 1
            return snapshot

    def find_active(self, key: str) -> str | None:
        with self._lock:
            return self._by_key.get(key)

    def cancel(self, job_id: str, watcher: str | None = None) -> bool:
        """Stop the job, or only `watcher`'s watching of it while other learners still watch.

        True when the job is being cancelled. Without a watcher (the command line, tests) the
        job is cancelled whoever watches it.
        """
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state not in ACTIVE:
                return False
            if watcher is not None and self._watchers.leave(job_id, watcher) > 0:
                return False  # others still watch: this learner is detached, the training goes on
            if job.state == "queued":
                self._pending.remove(job_id)
                self._finish(job, "cancelled")
                return True
            job.state = "cancelling"
            for worker in self._workers.values():
                if worker.job_id == job_id:
                    worker.cancel.set()
                    worker.cancel_sent_at = time.monotonic()
            return True

    def _see(self, job_id: str, watcher: str | None) -> None:
        if watcher is not None:
            self._watchers.see(job_id, watcher)

    def wait(self, job_id: str, timeout: float | None = None, poll_s: float = 0.1) -> JobStatus:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status(job_id)
            if not status.active:
                return status
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{job_id} still {status.state} after {timeout} s")
            time.sleep(poll_s)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers.values() if w.process.is_alive()]

    def shutdown(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
            for job_id in list(self._pending):
                self._finish(self._jobs[job_id], "cancelled")
            self._pending.clear()
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
        self._pump.join(2)

    # -- scheduling ----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Give pending jobs to idle workers, starting workers up to the concurrency bound."""
        while self._pending and not self._closed:
            worker = self._idle_worker() or self._start_worker()
            if worker is None:
                return
            job_id = self._pending.popleft()
            job, resolved = self._jobs[job_id], self._resolved[job_id]
            worker.job_id, worker.cancel_sent_at = job_id, None
            worker.cancel.clear()
            job.state, job.started = "running", time.time()
            worker.tasks.put({"job_id": job_id, "topic": resolved.topic, "params": resolved.params,
                              "seed": resolved.seed, "data": resolved.data})

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
                                    args=(worker_id, tasks, self._events, cancel, self.worker_config),
                                    daemon=True)
        with _bare_main_module():
            process.start()
        worker = _Worker(worker_id, process, tasks, cancel)
        self._workers[worker_id] = worker
        return worker

    # -- the pump thread ---------------------------------------------------------------------
    def _pump_loop(self) -> None:
        while not (self._closed and not self._workers):
            try:
                worker_id, job_id, event = self._events.get(timeout=0.2)
            except queue.Empty:
                pass
            except (OSError, EOFError, ValueError):
                time.sleep(0.2)  # queue torn down at interpreter exit
            else:
                with self._lock:
                    self._apply(worker_id, job_id, event)
            with self._lock:
                self._supervise()
                if self._closed and all(not w.process.is_alive() for w in self._workers.values()):
                    return

    def _apply(self, worker_id: int, job_id: str | None, event: dict) -> None:
        worker = self._workers.get(worker_id)
        kind = event["kind"]
        if job_id is None:
            if kind == "retire" and worker is not None:
                log.info("recycling worker %d after %d jobs (%.0f MB resident)", worker_id,
                         event.get("jobs_done", 0), event.get("rss_mb", 0))
                worker.retiring = True
            return
        job = self._jobs.get(job_id)
        if job is None or job.state in FINISHED:
            return
        apply_event(job, event)
        if kind in ("done", "error", "cancelled"):
            if worker is not None:
                worker.job_id = None
            if kind == "done":
                job.entry = self.cache.get(job.topic, event["key"])
                self._finish(job, "done" if job.entry else "failed",
                             None if job.entry else "the trained model could not be read back")
            elif kind == "error":
                self._finish(job, "failed", event["message"], event.get("traceback"))
            else:
                self._finish(job, "cancelled")
            self._dispatch()

    def _supervise(self) -> None:
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
            job = self._jobs.get(worker.job_id) if worker.job_id else None
            if job is not None and job.state in ACTIVE:
                if job.state == "cancelling":
                    self._finish(job, "cancelled")
                else:
                    code = worker.process.exitcode
                    self._finish(job, "failed", f"the training process stopped unexpectedly "
                                                f"(exit code {code}); nothing was cached. Try again.")
        self._forget_old()
        self._dispatch()

    def _finish(self, job: JobStatus, state: str, error: str | None = None,
                details: str | None = None) -> None:
        job.state, job.error, job.details, job.finished = state, error, details, time.time()
        if state == "failed":
            log.warning("job %s (%s %s) failed: %s", job.job_id, job.topic, job.key, error)
        if self._by_key.get(job.key) == job.job_id:
            del self._by_key[job.key]
        self._resolved.pop(job.job_id, None)

    def _forget_old(self) -> None:
        cutoff = time.time() - self.keep_finished_s
        for job_id, job in list(self._jobs.items()):
            if job.state in FINISHED and job.finished and job.finished < cutoff:
                del self._jobs[job_id]
                self._watchers.forget(job_id)


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


_manager: JobManager | None = None
_manager_lock = threading.Lock()


def get_manager() -> JobManager:
    """The process-wide manager: every Streamlit session of this server shares it."""
    global _manager
    with _manager_lock:
        if _manager is None:
            if settings.job_backend() != "local":
                log.warning("DL_LAB_JOBS=%s is not available in this version; training runs in "
                            "local worker processes", settings.job_backend())
            _manager = JobManager()
        return _manager

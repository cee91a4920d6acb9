"""Training jobs off the UI thread: a queue, deduplication, an executor, cancel.

A page never calls fit(). It calls `manager.request(topic, params)` and gets a `Ticket`:
  - `ticket.entry` set: the result was cached, show it at once;
  - `ticket.job_id` set: a job is queued or running (possibly started by another session for the
    same key); poll `manager.status(job_id)` for plain-data progress.

The manager keeps the books (jobs, the queue, who watches what, one job per key) and hands jobs
to an executor, at most as many as it has free slots:
  - `dl_core.engine.local.LocalExecutor` (the default): spawned worker processes on this machine;
  - `dl_core.engine.ray_executor.RayExecutor` (DL_LAB_JOBS=ray): Ray tasks on a cluster, shared
    by every app replica (imported only when chosen).
A background thread pumps the executor's plain-data events into per-job state. Nothing reaches
the cache unless training finished (see `dl_core.engine.cache`), so a killed training leaves no
entry behind.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from dl_core import settings
from dl_core.engine.cache import Entry, ModelCache
from dl_core.engine.runner import Resolved, lookup, resolve
from dl_core.engine.status import ACTIVE, FINISHED, JobStatus, apply_event
from dl_core.engine.watchers import Watchers

log = logging.getLogger(__name__)

POLL_S = 0.2  # how long the pump waits for the executor's next event


@dataclass(frozen=True)
class Ticket:
    resolved: Resolved
    entry: Entry | None = None
    job_id: str | None = None


class JobManager:
    def __init__(self, cache: ModelCache | None = None, max_workers: int | None = None,
                 max_jobs_per_worker: int | None = None, max_rss_mb: float | None = None,
                 stuck_timeout_s: float = 20.0, keep_finished_s: float = 3600.0,
                 executor: Any = None):
        """Without an `executor`, local worker processes (the other arguments configure them)."""
        self.cache = cache or ModelCache()
        if executor is None:
            from dl_core.engine.local import LocalExecutor

            executor = LocalExecutor(str(self.cache.root), max_workers, max_jobs_per_worker,
                                     max_rss_mb, stuck_timeout_s)
        self.executor = executor
        self.keep_finished_s = keep_finished_s
        self._lock = threading.RLock()
        self._jobs: dict[str, JobStatus] = {}
        self._by_key: dict[str, str] = {}  # key -> active job id (deduplication)
        self._pending: deque[str] = deque()
        self._resolved: dict[str, Resolved] = {}
        self._watchers = Watchers()
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
            self.executor.cancel(job_id)
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
            return self.executor.pids()

    def describe(self) -> str:
        """The job backend in a few words, for `python -m dl_core info` and the sidebar."""
        return self.executor.describe()

    def shutdown(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._closed = True
            for job_id in list(self._pending):
                self._finish(self._jobs[job_id], "cancelled")
            self._pending.clear()
        self.executor.shutdown(timeout)
        self._pump.join(2)

    # -- scheduling ----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Hand pending jobs to the executor while it has free slots."""
        while self._pending and not self._closed and self.executor.free_slots() > 0:
            job_id = self._pending.popleft()
            job, resolved = self._jobs[job_id], self._resolved[job_id]
            job.state, job.started = "running", time.time()
            task = {"job_id": job_id, "topic": resolved.topic, "params": resolved.params,
                    "seed": resolved.seed, "data": resolved.data, "key": resolved.key,
                    "gpu": resolved.spec.gpu}
            try:
                self.executor.start(job_id, task)
            except Exception as err:  # e.g. the cluster is unreachable: this job fails, not the page
                self._finish(job, "failed", f"the training could not start ({type(err).__name__}: "
                                            f"{' '.join(str(err).split())})")

    # -- the pump thread ---------------------------------------------------------------------
    def _pump_loop(self) -> None:
        while True:
            try:
                events = self.executor.poll(POLL_S)
            except Exception:  # an executor's hiccup must not stop every page's progress
                log.exception("the job executor failed to report; retrying")
                time.sleep(POLL_S)
                continue
            with self._lock:
                for job_id, event in events:
                    self._apply(job_id, event)
                self._forget_old()
                self._dispatch()
                if self._closed and self.executor.idle():
                    return

    def _apply(self, job_id: str, event: dict) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.state in FINISHED:
            return
        kind = event["kind"]
        apply_event(job, event)
        if kind == "done":
            job.entry = self.cache.get(job.topic, event["key"])
            self._finish(job, "done" if job.entry else "failed",
                         None if job.entry else "the trained model could not be read back")
        elif kind == "error":
            self._finish(job, "failed", event["message"], event.get("traceback"))
        elif kind == "cancelled":
            self._finish(job, "cancelled")

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


_manager: JobManager | None = None
_manager_lock = threading.Lock()


def get_manager() -> JobManager:
    """The process-wide manager: every Streamlit session of this server shares it."""
    global _manager
    with _manager_lock:
        if _manager is None:
            cache = ModelCache()
            _manager = JobManager(cache, executor=make_executor(cache))
        return _manager


def make_executor(cache: ModelCache) -> Any:
    """The executor DL_LAB_JOBS names: None (local worker processes, the manager's default) or
    a RayExecutor connected to DL_LAB_RAY_ADDRESS. Ray is imported only when chosen."""
    backend = settings.job_backend()
    if backend == "local":
        return None
    from dl_core.engine.ray_executor import RayExecutor

    return RayExecutor(cache, settings.ray_address())

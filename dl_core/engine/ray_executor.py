"""The Ray executor (DL_LAB_JOBS=ray): every training is a Ray task on a cluster.

Same interface as `dl_core.engine.local.LocalExecutor`, so the JobManager does not know which
one it drives. Imported only when DL_LAB_JOBS=ray: nothing about Ray loads otherwise.

- Each job is one task with `max_calls=1` (a fresh process per job gives TF's memory back) and
  `max_retries=0` (a training that crashed is reported, never silently run again), asking for a
  GPU when its topic benefits from one and the cluster has one.
- The hub actor (`dl_core.engine.ray_hub`) is shared by every replica: the same key asked for by
  two replicas runs as one task, and both follow its events.
- The task returns the finished entry as bytes; this side writes it into its own cache
  atomically and only then reports "done". A learner's upload travels to the task through the
  object store.
- Cancel: the hub's flag, which the task's callback reads; `ray.cancel(force=True)` when the
  task has not stopped after `stuck_timeout_s`, as the local executor kills a stuck worker.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ray

from dl_core import settings
from dl_core.engine.bundle import pack_data, unpack_entry
from dl_core.engine.cache import DamagedEntry, ModelCache
from dl_core.engine.ray_hub import HUB_NAME, NAMESPACE, Hub
from dl_core.engine.ray_task import run_training

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]  # the checkout: tasks import dl_core from it
FORWARDED = ("KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL")
TOKEN = Path.home() / ".ray" / "auth_token"  # Ray's token auth: the same file on every machine
CALL_TIMEOUT_S = 15.0  # a hub call that takes longer means the cluster is gone or overloaded
LOST_AFTER = 3  # failed polls in a row before the running jobs are reported lost
CRASHED = ("the training on the Ray cluster stopped unexpectedly ({what}); nothing was cached. "
           "Try again.")


@dataclass
class _RayJob:
    token: str
    key: str
    launched: bool  # this replica started the task (only the owner of a task can cancel it)
    ref: Any = None
    seen: int = 0  # events read from the hub so far
    cancel_sent_at: float | None = None
    force_cancelled: bool = False


class RayExecutor:
    name = "ray"

    def __init__(self, cache: ModelCache, address: str, max_jobs: int | None = None,
                 stuck_timeout_s: float = 20.0):
        self.cache, self.address = cache, address
        self.stuck_timeout_s = stuck_timeout_s
        self.replica = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        connect(address)
        self.hub = ray.remote(Hub).options(name=HUB_NAME, namespace=NAMESPACE, lifetime="detached",
                                           get_if_exists=True, num_cpus=0).remote()
        self.max_jobs = max_jobs or settings.ray_max_jobs() or max(1, int(cluster()["cpus"]))
        self._task = ray.remote(max_calls=1, max_retries=0, num_cpus=1)(run_training)
        self._jobs: dict[str, _RayJob] = {}
        self._finished: list[tuple[str, dict]] = []  # events owed to the manager at the next poll
        self._closed = False
        self._failed_polls = 0

    # -- the executor interface ----------------------------------------------------------------
    def free_slots(self) -> int:
        return 0 if self._closed else max(0, self.max_jobs - len(self._jobs))

    def start(self, job_id: str, task: dict) -> None:
        token, launch = ray.get(self.hub.claim.remote(task["key"], self.replica), timeout=CALL_TIMEOUT_S)
        job = _RayJob(token, task["key"], launched=launch)
        if launch:
            packed = ray.put(pack_data(task["data"])) if task.get("data") else None
            job.ref = self._task.options(num_gpus=self._gpus_for(task)).remote(
                task, token, self.hub, packed)
            self.hub.set_result.remote(token, [job.ref])
        self._jobs[job_id] = job

    def cancel(self, job_id: str) -> None:
        job = self._jobs.get(job_id)
        if job is None:
            return
        if ray.get(self.hub.detach.remote(job.token, self.replica)) > 0:
            # Learners on another replica still follow it: only this replica lets go.
            del self._jobs[job_id]
            self._finished.append((job_id, {"kind": "cancelled"}))
            return
        self.hub.request_cancel.remote(job.token)
        job.cancel_sent_at = time.monotonic()

    def poll(self, timeout: float) -> list[tuple[str, dict]]:
        started = time.monotonic()
        events, self._finished = self._finished, []
        jobs = list(self._jobs.items())
        if jobs:
            try:
                reads = ray.get([self.hub.read.remote(job.token, job.seen) for _, job in jobs],
                                timeout=CALL_TIMEOUT_S)
            except (ray.exceptions.RayError, ConnectionError) as err:
                return events + self._unreachable(jobs, err)
            self._failed_polls = 0
            for (job_id, job), news in zip(jobs, reads):
                events.extend(self._follow(job_id, job, news))
        time.sleep(max(0.0, timeout - (time.monotonic() - started)))
        return events

    def pids(self) -> list[int]:
        return []  # the trainings' processes live on the cluster's nodes

    def describe(self) -> str:
        nodes = cluster()
        return (f"on the Ray cluster at {self.address} ({nodes['nodes']} node(s), {nodes['cpus']:.0f} CPUs, "
                f"{nodes['gpus']:.0f} GPUs), {self.max_jobs} at a time")

    def idle(self) -> bool:
        return not self._jobs

    def shutdown(self, timeout: float = 10.0) -> None:
        self._closed = True
        for job_id in list(self._jobs):
            self.cancel(job_id)
        deadline = time.monotonic() + timeout
        while self._jobs and time.monotonic() < deadline:
            self.poll(0.2)

    def _unreachable(self, jobs: list, err: Exception) -> list[tuple[str, dict]]:
        """A hiccup is waited out; LOST_AFTER in a row fail the running jobs, readably."""
        self._failed_polls += 1
        log.warning("the Ray cluster at %s did not answer (%s: %s)", self.address, type(err).__name__, err)
        if self._failed_polls < LOST_AFTER:
            return []
        self._failed_polls = 0
        lost = _error(f"lost contact with the Ray cluster at {self.address} ({type(err).__name__}); "
                      "nothing was cached. Try again.")
        for job_id, _ in jobs:
            self._jobs.pop(job_id, None)
        return [(job_id, lost) for job_id, _ in jobs]

    # -- following one job ---------------------------------------------------------------------
    def _follow(self, job_id: str, job: _RayJob, news: dict) -> list[tuple[str, dict]]:
        events = [(job_id, event) for event in news["events"]]
        job.seen = news["total"]
        if job.ref is None and news["result"]:
            job.ref = news["result"][0]  # another replica launched it: its result is shared
        if news["lost"]:
            return events + self._end(job_id, job, _error("the cluster forgot this training "
                                                          "(was the Ray head restarted?)"))
        if job.ref is None:
            return events
        ready, _ = ray.wait([job.ref], timeout=0)
        if ready:
            return events + self._end(job_id, job, self._collect(job))
        self._force_cancel_if_stuck(job)
        return events

    def _collect(self, job: _RayJob) -> dict:
        """The task's outcome as one terminal event (the entry written into our cache for "done")."""
        try:
            outcome = ray.get(job.ref)
        except ray.exceptions.TaskCancelledError:
            return {"kind": "cancelled"}
        except ray.exceptions.RayError as err:
            if job.cancel_sent_at is not None:
                return {"kind": "cancelled"}
            return _error(CRASHED.format(what=type(err).__name__))
        if outcome.get("cancelled"):
            return {"kind": "cancelled"}
        if "error" in outcome:
            return {"kind": "error", "message": outcome["error"], "traceback": outcome.get("traceback")}
        try:
            for packed in outcome["entries"]:
                unpack_entry(self.cache, packed)
        except (DamagedEntry, OSError) as err:
            return _error(f"the trained model arrived damaged from the cluster ({err}); "
                          "nothing was cached. Try again.")
        return {"kind": "done", "key": job.key, "hit": outcome.get("hit", False)}

    def _end(self, job_id: str, job: _RayJob, event: dict) -> list[tuple[str, dict]]:
        self.hub.finish.remote(job.token)
        self._jobs.pop(job_id, None)
        return [(job_id, event)]

    def _force_cancel_if_stuck(self, job: _RayJob) -> None:
        stuck = (job.cancel_sent_at is not None and not job.force_cancelled
                 and time.monotonic() - job.cancel_sent_at > self.stuck_timeout_s)
        if stuck and job.launched:
            log.warning("Ray task for %s ignored a cancel for %.0f s: force-cancelled", job.key,
                        self.stuck_timeout_s)
            ray.cancel(job.ref, force=True)
            job.force_cancelled = True

    @staticmethod
    def _gpus_for(task: dict) -> float:
        return 1 if task.get("gpu") and cluster()["gpus"] >= 1 else 0


def _error(message: str) -> dict:
    return {"kind": "error", "message": message}


def connect(address: str) -> None:
    """Join the cluster once per process, passing our settings to the tasks (never the cache
    directory: each node keeps its own)."""
    if ray.is_initialized():
        return
    _use_token_if_there_is_one()
    env = {name: value for name, value in os.environ.items()
           if (name.startswith("DL_LAB_") and name != "DL_LAB_CACHE_DIR") or name in FORWARDED}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    try:
        ray.init(address=address, namespace=NAMESPACE, log_to_driver=False,
                 logging_level=logging.WARNING, runtime_env={"env_vars": env})
    except ConnectionError as err:
        raise ValueError(f"cannot reach the Ray cluster at {address} ({err}): start it with "
                         "`ray start --head` or fix DL_LAB_RAY_ADDRESS") from None


def _use_token_if_there_is_one() -> None:
    """A cluster started with a token (Ray's default when ~/.ray/auth_token exists) refuses a
    client without one, and `ray.init(address=...)` does not look for it by itself."""
    if "RAY_AUTH_MODE" in os.environ or not TOKEN.is_file():
        return
    try:  # Ray's own switch: sets RAY_AUTH_MODE and refreshes the config Ray read at import
        from ray._private.authentication.authentication_token_setup import (
            maybe_enable_token_auth_if_token_available,
        )
    except ImportError:
        os.environ["RAY_AUTH_MODE"] = "token"
        return
    maybe_enable_token_auth_if_token_available(warn_if_disabled=False)


def cluster() -> dict:
    """The cluster as a teacher sees it: live nodes, CPUs and GPUs."""
    nodes = [node for node in ray.nodes() if node.get("Alive")]
    total = ray.cluster_resources()
    return {"nodes": len(nodes), "cpus": float(total.get("CPU", 0)), "gpus": float(total.get("GPU", 0))}


def launched() -> int:
    """How many trainings the hub has started on this cluster (every replica together)."""
    hub = ray.get_actor(HUB_NAME, namespace=NAMESPACE)
    return ray.get(hub.stats.remote())["launched"]

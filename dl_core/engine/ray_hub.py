"""The Ray cluster's one registry of trainings: which key runs as which job, and its progress.

One named, detached actor (`HUB_NAME` in `NAMESPACE`) shared by every app replica: a replica
asking for a key that another replica is already training gets that job's token and follows it
instead of starting a second task. The task reports plain events here, and reads its cancel
flag here; each replica polls the events it has not seen yet, as it reads local workers.

Plain Python on purpose (no Ray import): `dl_core.engine.ray_executor` turns it into an actor,
and the tests can check its bookkeeping without a cluster. A Ray actor runs one call at a time,
so no lock is needed.
"""

from __future__ import annotations

import time
import uuid

NAMESPACE = "dl_lab"
HUB_NAME = "dl_lab_hub_v1"  # bump when the calls below change: old clusters keep the old hub
KEEP_FINISHED_S = 600.0  # a finished job's record, for a replica that has not collected it yet


class Hub:
    def __init__(self, clock=time.time):
        self._clock = clock
        self._jobs: dict[str, dict] = {}
        self._by_key: dict[str, str] = {}  # key -> token of the job training it now
        self._launched = 0

    def claim(self, key: str, replica: str) -> tuple[str, bool]:
        """(token, True) for a new job the caller must launch; (token, False) to follow a running one."""
        self._forget_old()
        token = self._by_key.get(key)
        if token is not None:
            self._jobs[token]["replicas"].add(replica)
            return token, False
        token = f"{key}-{uuid.uuid4().hex[:8]}"
        self._jobs[token] = {"key": key, "events": [], "result": None, "cancel_at": None,
                             "replicas": {replica}, "finished": None}
        self._by_key[key] = token
        self._launched += 1
        return token, True

    def set_result(self, token: str, boxed_ref: list) -> None:
        """The launching replica hands over the task's result (an ObjectRef in a list, so that Ray
        passes the reference itself, not the value it will have)."""
        self._jobs[token]["result"] = boxed_ref

    def push(self, token: str, events: list[dict]) -> None:
        job = self._jobs.get(token)
        if job is not None:
            job["events"].extend(events)

    def read(self, token: str, since: int) -> dict:
        job = self._jobs.get(token)
        if job is None:
            return {"events": [], "total": since, "result": None, "cancel_at": None, "lost": True}
        return {"events": job["events"][since:], "total": len(job["events"]),
                "result": job["result"], "cancel_at": job["cancel_at"], "lost": False}

    def detach(self, token: str, replica: str) -> int:
        """`replica` stops following the job; how many replicas still follow it."""
        job = self._jobs.get(token)
        if job is None:
            return 0
        job["replicas"].discard(replica)
        return len(job["replicas"])

    def request_cancel(self, token: str) -> None:
        job = self._jobs.get(token)
        if job is not None and job["cancel_at"] is None:
            job["cancel_at"] = self._clock()

    def should_stop(self, token: str) -> bool:
        job = self._jobs.get(token)
        return job is None or job["cancel_at"] is not None

    def finish(self, token: str) -> None:
        """The job's task has ended (any way): the key is free for a new training."""
        job = self._jobs.get(token)
        if job is None:
            return
        if job["finished"] is None:
            job["finished"] = self._clock()
        if self._by_key.get(job["key"]) == token:
            del self._by_key[job["key"]]

    def stats(self) -> dict:
        return {"launched": self._launched, "running": len(self._by_key)}

    def _forget_old(self) -> None:
        cutoff = self._clock() - KEEP_FINISHED_S
        for token, job in list(self._jobs.items()):
            if job["finished"] is not None and job["finished"] < cutoff:
                del self._jobs[token]

"""Who is watching each job, so that one learner's Cancel does not stop everyone else's training.

A watcher is one learner's page (a Streamlit session), identified by an opaque string. A page
that shows a job polls its status a few times a second, and every poll counts as "still here";
a watcher not seen for `timeout_s` has closed the tab or moved on and no longer counts.
"""

from __future__ import annotations

import time


class Watchers:
    def __init__(self, timeout_s: float = 10.0, clock=time.monotonic):
        self.timeout_s = timeout_s
        self._clock = clock
        self._seen: dict[str, dict[str, float]] = {}  # job id -> watcher -> last seen

    def see(self, job_id: str, watcher: str) -> None:
        self._seen.setdefault(job_id, {})[watcher] = self._clock()

    def active(self, job_id: str) -> list[str]:
        cutoff = self._clock() - self.timeout_s
        return [w for w, seen in self._seen.get(job_id, {}).items() if seen >= cutoff]

    def leave(self, job_id: str, watcher: str) -> int:
        """`watcher` stops watching; how many others still watch."""
        self._seen.get(job_id, {}).pop(watcher, None)
        return len(self.active(job_id))

    def forget(self, job_id: str) -> None:
        self._seen.pop(job_id, None)

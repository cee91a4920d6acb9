"""What a page sees of a training job: a plain-data snapshot, and how worker events update it.

Kept apart from the manager (dl_core.engine.jobs) so that a second executor (Ray) can fill the
same status from the same events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dl_core.engine.cache import Entry

ACTIVE = ("queued", "running", "cancelling")
FINISHED = ("done", "failed", "cancelled")


@dataclass
class JobStatus:
    """A snapshot of one job, safe to read from any thread (lists are copies)."""

    job_id: str
    topic: str
    key: str
    params: dict
    state: str  # queued | running | cancelling | done | failed | cancelled
    queue_position: int | None = None
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches: int = 0
    logs: dict = field(default_factory=dict)  # latest batch logs
    history: dict = field(default_factory=dict)  # per-epoch logs
    previews: list = field(default_factory=list)  # per-epoch uint8 images
    error: str | None = None
    details: str | None = None  # traceback, for an expander
    device: str | None = None
    stage: str | None = None  # what runs besides the epochs (a dependency's training), if anything
    watchers: int = 0  # learners' pages polling this job now (see dl_core.engine.watchers)
    unit: str = "epoch"  # what this training calls an epoch ("snapshot" for the toy GAN)
    step_unit: str = "batch"
    submitted: float = 0.0
    started: float | None = None
    finished: float | None = None
    entry: Entry | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def fraction(self) -> float:
        """Progress in [0, 1], counting finished epochs plus the current epoch's batches."""
        if self.state == "done":
            return 1.0
        if not self.epochs:
            return 0.0
        within = self.batch / self.batches if self.batches else 0.0
        return min(1.0, (max(self.epoch - 1, 0) + within) / self.epochs)


def apply_event(job: JobStatus, event: dict) -> None:
    """Fold one plain-data event from a worker (or a dependency stage) into the job's state."""
    kind = event["kind"]
    if kind == "start":
        job.device = event.get("device")
    elif kind == "note":
        job.stage = event.get("text")
    elif kind == "batch":
        job.stage = None
        job.unit, job.step_unit = event.get("unit", job.unit), event.get("step_unit", job.step_unit)
        job.epoch, job.epochs = event["epoch"], event["epochs"]
        job.batch, job.batches = event["batch"], event["batches"]
        job.logs = event.get("logs", {})
    elif kind == "epoch":
        job.stage = None
        job.epoch, job.epochs = event["epoch"], event["epochs"]
        job.batch = job.batches
        for name, value in event.get("logs", {}).items():
            job.history.setdefault(name, []).append(value)
    elif kind == "preview":
        job.previews.append(event["image"])

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
    note: str | None = None  # what runs besides the epochs, in a few words, if anything
    stages: list = field(default_factory=list)  # the training's declared parts, in order
    stage_weights: list = field(default_factory=list)  # their rough shares of the time
    stage_index: int | None = None  # the part running now
    stage_fraction: float = 0.0  # how far that part is, in [0, 1]
    stage_detail: str | None = None  # its own progress in words, when a dependency trains in it
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
    def stage(self) -> str | None:
        """The title of the part running now (None when the training declared no parts)."""
        return None if self.stage_index is None else self.stages[self.stage_index]

    @property
    def fraction(self) -> float:
        """Progress of the whole job in [0, 1]: with stages, the finished stages' weights plus the
        current stage's share; without, finished epochs plus the current epoch's batches."""
        if self.state == "done":
            return 1.0
        if self.stage_index is None:
            return self.epoch_fraction
        total = sum(self.stage_weights) or 1.0
        before = sum(self.stage_weights[:self.stage_index])
        return min(1.0, (before + self.stage_weights[self.stage_index] * self.stage_fraction) / total)

    @property
    def epoch_fraction(self) -> float:
        if not self.epochs:
            return 0.0
        within = self.batch / self.batches if self.batches else 1.0  # epoch events only: whole epochs
        return min(1.0, (max(self.epoch - 1, 0) + within) / self.epochs)


def apply_event(job: JobStatus, event: dict) -> None:
    """Fold one plain-data event from a worker (or a dependency stage) into the job's state."""
    kind = event["kind"]
    if kind == "start":
        job.device = event.get("device")
    elif kind == "note":
        job.note = event.get("text")
    elif kind == "plan":
        job.stages = [title for title, _ in event["stages"]]
        job.stage_weights = [float(weight) for _, weight in event["stages"]]
    elif kind == "stage":
        _enter_stage(job, event.get("title"))
    elif kind == "stage_progress":
        job.stage_fraction, job.stage_detail = float(event["fraction"]), event.get("text")
    elif kind == "batch":
        job.note = None
        job.unit, job.step_unit = event.get("unit", job.unit), event.get("step_unit", job.step_unit)
        job.epoch, job.epochs = event["epoch"], event["epochs"]
        job.batch, job.batches = event["batch"], event["batches"]
        job.logs = event.get("logs", {})
        job.stage_fraction = job.epoch_fraction
    elif kind == "epoch":
        job.note = None
        job.epoch, job.epochs = event["epoch"], event["epochs"]
        job.batch = job.batches
        for name, value in event.get("logs", {}).items():
            job.history.setdefault(name, []).append(value)
        job.stage_fraction = job.epoch_fraction
    elif kind == "preview":
        job.previews.append(event["image"])


def _enter_stage(job: JobStatus, title: str | None) -> None:
    """A new stage starts from nothing: its epochs and batches are its own (the history, which
    the live chart draws, is kept). A title the plan lacks runs before the rest of the plan."""
    job.note, job.stage_detail, job.stage_fraction = None, None, 0.0
    job.epoch, job.batch, job.logs = 0, 0, {}
    if title is None:
        job.stage_index = None
        return
    if title not in job.stages:
        at = job.stage_index or 0
        job.stages.insert(at, title)
        job.stage_weights.insert(at, 1.0)
    job.stage_index = job.stages.index(title)

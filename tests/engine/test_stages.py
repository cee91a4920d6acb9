"""Staged progress: a job of several parts says which part runs and how far the whole job is."""

from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.engine.status import JobStatus, apply_event
from dl_core.spec import TrainContext
from ui.training import progress_line_text

import fake_staged


def fresh() -> JobStatus:
    return JobStatus("job-1", "t", "k", {}, "running")


def fold(events: list[dict]) -> tuple[JobStatus, list[float], list[str | None]]:
    """The status after `events`, and the whole job's fraction and stage after each one."""
    job, fractions, stages = fresh(), [], []
    for event in events:
        apply_event(job, event)
        fractions.append(job.fraction)
        stages.append(job.stage)
    return job, fractions, stages


def epoch(n: int, of: int, loss: float = 0.5) -> dict:
    return {"kind": "epoch", "epoch": n, "epochs": of, "logs": {"loss": loss}}


def test_the_whole_job_advances_by_each_stages_weight():
    job, fractions, _ = fold([
        {"kind": "plan", "stages": [["pretraining", 3.0], ["head", 1.0]]},
        {"kind": "stage", "title": "pretraining"},
        {"kind": "stage_progress", "fraction": 0.5, "text": "epoch 4/8"},
        {"kind": "stage", "title": "head"},
        epoch(1, 2),
    ])
    assert fractions == [0.0, 0.0, 0.375, 0.75, 0.875]
    assert job.stage == "head" and job.stage_index == 1 and job.stage_detail is None


def test_a_stage_the_plan_lacks_runs_before_the_rest():
    job, _, stages = fold([
        {"kind": "plan", "stages": [["own", 1.0]]},
        {"kind": "stage", "title": "a dependency"},
        {"kind": "stage", "title": "own"},
    ])
    assert job.stages == ["a dependency", "own"] and stages[-1] == "own"


def test_without_stages_the_fraction_counts_epochs_and_batches():
    job, fractions, _ = fold([epoch(1, 4), {"kind": "batch", "epoch": 2, "epochs": 4, "batch": 5,
                                            "batches": 10, "logs": {}}])
    assert fractions == [0.25, 0.375] and job.stage is None


def test_a_dependency_trains_as_a_stage_and_its_epochs_stay_out_of_the_history(tmp_path):
    events: list[dict] = []
    ctx = TrainContext(emit=events.append, batch_interval_s=0.0)
    entry, hit = train_or_load(resolve("fake_staged", {"tag": "deps"}), ModelCache(tmp_path), ctx)
    assert not hit
    job, fractions, stages = fold([e for e in events if e["kind"] != "preview"])
    entered = [e["title"] for e in events if e["kind"] == "stage"]
    assert entered == [fake_staged.BUILD_ON, fake_staged.OWN]
    assert job.stages == [fake_staged.BUILD_ON, fake_staged.OWN]
    assert fractions == sorted(fractions), "the bar never goes back"
    assert 0.7 < max(f for f, s in zip(fractions, stages) if s == fake_staged.BUILD_ON) <= 0.75
    assert any(e["kind"] == "stage_progress" and e["text"].startswith("epoch 3/3") for e in events)
    assert len(job.history["loss"]) == 2, "only the job's own 2 epochs, not the dependency's 3"

    # Trained once, the dependency is cached: the next setting plans one stage only.
    events.clear()
    train_or_load(resolve("fake_staged", {"tag": "deps", "epochs": 1}), ModelCache(tmp_path),
                  TrainContext(emit=events.append))
    assert [e["stages"] for e in events if e["kind"] == "plan"] == [[[fake_staged.OWN, 1.0]]]


def test_the_progress_line_names_the_stage_and_the_whole_jobs_share():
    job, _, _ = fold([
        {"kind": "plan", "stages": [["pretraining the source", 3.0], ["training the head", 1.0]]},
        {"kind": "stage", "title": "pretraining the source"},
        {"kind": "stage_progress", "fraction": 0.5, "text": "epoch 4/8 · batch 2/51"},
    ])
    assert progress_line_text(job) == ("Step 1 of 2 · 38% of the whole job: pretraining the source "
                                       "— epoch 4/8 · batch 2/51")
    apply_event(job, {"kind": "stage", "title": "training the head"})
    assert progress_line_text(job) == "Step 2 of 2 · 75% of the whole job: training the head"
    apply_event(job, {"kind": "batch", "epoch": 1, "epochs": 10, "batch": 3, "batches": 8,
                      "logs": {"loss": 0.25}})
    assert progress_line_text(job).endswith("— Epoch 1/10 · batch 3/8 · loss 0.2500")


def test_before_anything_runs_the_line_says_what_it_does():
    assert progress_line_text(fresh()) == "Starting: loading the data and building the model…"

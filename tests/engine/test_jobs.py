"""The job engine with real worker processes, on the fast fake topic (tests/fake_topics.py)."""

import os
import signal
import time

import pytest

from dl_core.engine.cache import ModelCache
from dl_core.engine.jobs import JobManager


@pytest.fixture(scope="module")
def manager(tmp_path_factory):
    # One manager for the module: its warm worker is reused, as in the app (tests use distinct tags).
    cache = ModelCache(tmp_path_factory.mktemp("jobs-cache"))
    manager = JobManager(cache, max_workers=1, stuck_timeout_s=10)
    yield manager
    manager.shutdown()


def wait_until(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    raise TimeoutError("condition not met in time")


def test_identical_requests_share_one_job_and_then_hit_the_cache(manager):
    first = manager.request("fake", {"tag": "dedup"})
    second = manager.request("fake", {"tag": "dedup"})
    other = manager.request("fake", {"tag": "other"})
    assert first.job_id == second.job_id != other.job_id
    assert manager.status(other.job_id).queue_position == 1  # one worker: it waits its turn
    done = manager.wait(first.job_id, timeout=90)
    assert done.state == "done" and done.entry is not None
    assert done.history["loss"] and len(done.previews) == 3  # epoch 0 + 2 epochs
    assert manager.wait(other.job_id, timeout=90).state == "done"
    third = manager.request("fake", {"tag": "dedup"})
    assert third.entry is not None and third.job_id is None


def test_progress_arrives_as_plain_data(manager):
    ticket = manager.request("fake", {"tag": "progress", "epochs": 3, "sleep_s": 0.1})
    wait_until(lambda: manager.status(ticket.job_id).epoch >= 1)
    status = manager.status(ticket.job_id)
    assert status.state == "running" and status.epochs == 3
    assert 0 < status.fraction <= 1
    assert manager.wait(ticket.job_id, timeout=90).state == "done"


def test_cancel_running_job_caches_nothing(manager):
    ticket = manager.request("fake", {"tag": "cancel", "epochs": 50, "sleep_s": 0.2})
    wait_until(lambda: manager.status(ticket.job_id).epoch >= 1)
    manager.cancel(ticket.job_id)
    status = manager.wait(ticket.job_id, timeout=30)
    assert status.state == "cancelled"
    assert manager.cache.get("fake", ticket.resolved.key) is None


def test_cancel_queued_job(manager):
    running = manager.request("fake", {"tag": "blocker", "epochs": 50, "sleep_s": 0.2})
    queued = manager.request("fake", {"tag": "waiting"})
    manager.cancel(queued.job_id)
    assert manager.status(queued.job_id).state == "cancelled"
    manager.cancel(running.job_id)
    manager.wait(running.job_id, timeout=30)


def test_error_in_training_is_readable_and_the_worker_survives(manager):
    failed = manager.wait(manager.request("fake", {"fail": True}).job_id, timeout=90)
    assert failed.state == "failed"
    assert failed.error == "ValueError: boom: the fake topic was asked to fail"
    assert "Traceback" in failed.details
    pids = manager.worker_pids()
    ok = manager.wait(manager.request("fake", {"tag": "after-error"}).job_id, timeout=90)
    assert ok.state == "done" and manager.worker_pids() == pids  # same warm worker


def test_killed_worker_fails_the_job_leaves_no_entry_and_is_replaced(manager):
    ticket = manager.request("fake", {"tag": "killed", "epochs": 50, "sleep_s": 0.2})
    wait_until(lambda: manager.status(ticket.job_id).epoch >= 1)
    [pid] = manager.worker_pids()
    os.kill(pid, signal.SIGKILL)
    status = manager.wait(ticket.job_id, timeout=30)
    assert status.state == "failed" and "stopped unexpectedly" in status.error
    assert manager.cache.get("fake", ticket.resolved.key) is None
    assert not list((manager.cache.models / "fake").glob(f"{ticket.resolved.key}*"))
    again = manager.wait(manager.request("fake", {"tag": "killed", "epochs": 1}).job_id, timeout=90)
    assert again.state == "done" and manager.worker_pids() != [pid]


def test_worker_is_recycled_after_max_jobs(tmp_path):
    manager = JobManager(ModelCache(tmp_path / "cache"), max_workers=1, max_jobs_per_worker=1)
    try:
        manager.wait(manager.request("fake", {"tag": "r1", "epochs": 1}).job_id, timeout=90)
        wait_until(lambda: not manager.worker_pids())  # it retired after one job
        manager.wait(manager.request("fake", {"tag": "r2", "epochs": 1}).job_id, timeout=90)
        assert len(manager.worker_pids()) <= 1
    finally:
        manager.shutdown()


def test_cancel_by_one_of_several_watchers_only_detaches_them(manager):
    ticket = manager.request("fake", {"epochs": 30, "sleep_s": 0.05, "tag": "watched"})
    job = ticket.job_id
    assert manager.submit(ticket.resolved, watcher="ada") == job
    assert manager.submit(ticket.resolved, watcher="bob") == job  # the same link, another learner
    assert manager.status(job, watcher="ada").watchers == 2
    assert manager.cancel(job, watcher="bob") is False  # Ada still watches: Bob is detached
    assert manager.status(job).state in ("queued", "running")
    assert manager.cancel(job, watcher="ada") is True  # the last watcher leaves: it stops
    assert manager.wait(job, timeout=60).state == "cancelled"


def test_watchers_who_left_long_ago_do_not_count():
    from dl_core.engine.watchers import Watchers

    now = [100.0]
    watchers = Watchers(timeout_s=10, clock=lambda: now[0])
    watchers.see("job", "ada")
    watchers.see("job", "bob")
    now[0] += 30  # Bob closed his tab; Ada keeps polling
    watchers.see("job", "ada")
    assert watchers.active("job") == ["ada"]
    assert watchers.leave("job", "ada") == 0

"""The Ray executor against a real local Ray cluster (a head started here on loopback).

The cluster's node has its own cache directory, never the managers' caches: the finished entry
must travel back as bytes, as it would from another machine.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import psutil
import pytest
from ray_head import start_head, stop_head
from tiny_settings import TINY_PLAYGROUND

from dl_core.engine.cache import ModelCache
from dl_core.engine.jobs import JobManager

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.ray

@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    node_cache = tmp_path_factory.mktemp("ray-node-cache")
    address, head = start_head(node_cache)
    try:
        yield {"address": address, "node_cache": node_cache}
    finally:
        stop_head(head)


@pytest.fixture
def ray_manager(ray_head, tmp_path):
    from dl_core.engine.ray_executor import RayExecutor

    cache = ModelCache(tmp_path / "replica-cache")
    manager = JobManager(cache, executor=RayExecutor(cache, ray_head["address"], stuck_timeout_s=5))
    yield manager
    manager.shutdown()


def _launched() -> int:
    from dl_core.engine.ray_executor import launched

    return launched()


def _wait_until(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError("condition not met in time")


def test_a_ray_training_gives_the_entry_a_local_worker_gives(ray_head, ray_manager, tmp_path):
    params = {"tag": "same-as-local", "epochs": 2}
    before = _launched()
    ticket = ray_manager.request("fake", params)
    status = ray_manager.wait(ticket.job_id, timeout=180)
    assert status.state == "done", status.error
    assert _launched() == before + 1
    assert len(status.history["loss"]) == 2 and len(status.previews) == 3  # epochs 0, 1, 2

    local = JobManager(ModelCache(tmp_path / "local-cache"), max_workers=1)
    try:
        reference = local.wait(local.request("fake", params).job_id, timeout=180)
    finally:
        local.shutdown()
    ours, theirs = status.entry, reference.entry
    assert ours.key == theirs.key and ours.path.parent.parent == ray_manager.cache.models
    assert ours.metrics == pytest.approx(theirs.metrics, rel=1e-5)
    assert ours.history["loss"] == pytest.approx(theirs.history["loss"], rel=1e-5)
    np.testing.assert_array_equal(ours.artifacts()["x"], theirs.artifacts()["x"])
    # The node kept its own copy; the replica's came over the wire, not through a shared folder.
    assert (ray_head["node_cache"] / "models" / "fake" / ours.key).is_dir()
    assert ray_manager.request("fake", params).entry is not None  # and it is cached here now


def test_cancel_stops_the_task_and_caches_nothing(ray_head, ray_manager):
    ticket = ray_manager.request("fake", {"tag": "ray-cancel", "epochs": 50, "sleep_s": 0.1})
    _wait_until(lambda: ray_manager.status(ticket.job_id).epoch >= 1)
    assert ray_manager.cancel(ticket.job_id)
    assert ray_manager.wait(ticket.job_id, timeout=60).state == "cancelled"
    key = ticket.resolved.key
    assert ray_manager.cache.get("fake", key) is None
    assert not (ray_head["node_cache"] / "models" / "fake" / key).exists()


def test_a_killed_task_fails_its_job_readably_and_leaves_no_entry(ray_head, ray_manager):
    ticket = ray_manager.request("fake", {"tag": "ray-killed", "epochs": 50, "sleep_s": 0.1})
    _wait_until(lambda: ray_manager.status(ticket.job_id).epoch >= 1)
    [task] = [p for p in psutil.process_iter(["cmdline"])
              if "ray::run_training" in " ".join(p.info["cmdline"] or [])]
    task.kill()
    status = ray_manager.wait(ticket.job_id, timeout=60)
    assert status.state == "failed" and "stopped unexpectedly" in status.error
    assert "Traceback" not in status.error and "/" not in status.error.split("(")[0]
    assert ray_manager.cache.get("fake", ticket.resolved.key) is None
    # The key is free again: a retry trains it.
    again = ray_manager.wait(ray_manager.request("fake", {"tag": "ray-killed", "epochs": 1}).job_id,
                             timeout=180)
    assert again.state == "done", again.error


def test_two_replicas_asking_at_once_share_one_ray_task(ray_head, tmp_path):
    from dl_core.engine.ray_executor import RayExecutor

    managers = []
    for name in ("replica-a", "replica-b"):
        cache = ModelCache(tmp_path / name)
        managers.append(JobManager(cache, executor=RayExecutor(cache, ray_head["address"])))
    params = {"tag": "two-replicas", "epochs": 3, "sleep_s": 0.05}
    before = _launched()
    tickets = [None, None]
    try:
        go = threading.Barrier(2)

        def ask(index):
            go.wait()
            tickets[index] = managers[index].request("fake", params)

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        statuses = [m.wait(t.job_id, timeout=180) for m, t in zip(managers, tickets)]
        assert [s.state for s in statuses] == ["done", "done"], [s.error for s in statuses]
        assert _launched() == before + 1  # one task for both replicas
        assert all(len(s.history["loss"]) == 3 for s in statuses)  # both followed every epoch
        assert all(m.cache.get("fake", tickets[0].resolved.key) for m in managers)
    finally:
        for manager in managers:
            manager.shutdown()


def test_a_learners_upload_travels_to_the_task(ray_head, ray_manager, tmp_path):
    upload = tmp_path / "upload" / "points.csv"
    upload.parent.mkdir()
    points = np.random.default_rng(0).uniform(-1, 1, size=(100, 2))
    rows = [f"{x:.4f},{y:.4f},{int(x * y > 0)}" for x, y in points]
    upload.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    ticket = ray_manager.request("playground", TINY_PLAYGROUND, data=str(upload))
    status = ray_manager.wait(ticket.job_id, timeout=180)
    assert status.state == "done", status.error
    assert status.entry.meta["dataset"]["source"] == "upload"
    assert status.entry.meta["dataset"]["train"] + status.entry.meta["dataset"]["val"] == 100

"""Choosing the job backend, the Ray hub's bookkeeping and entries as bytes: no cluster needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dl_core import settings
from dl_core.engine.bundle import pack_data, pack_entry, unpack_data, unpack_entry
from dl_core.engine.cache import DamagedEntry, ModelCache
from dl_core.engine.ray_hub import KEEP_FINISHED_S, Hub
from dl_core.engine.runner import resolve, train_or_load

from conftest import ROOT


def test_the_local_backend_never_imports_ray(tmp_path):
    code = ("import sys; from dl_core.engine.jobs import get_manager; m = get_manager(); "
            "print(m.describe()); m.shutdown(); print('ray' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**_env(tmp_path), "DL_LAB_JOBS": "local"}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "False" and "on this machine, 1 at a time" in out.stdout


@pytest.mark.parametrize("value, expected", [("", "local"), ("LOCAL", "local"), (" ray ", "ray")])
def test_the_backend_setting(monkeypatch, value, expected):
    monkeypatch.setenv("DL_LAB_JOBS", value)
    assert settings.job_backend() == expected


def test_an_unknown_backend_or_a_missing_address_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("DL_LAB_JOBS", "celery")
    with pytest.raises(ValueError, match="use one of local, ray"):
        settings.job_backend()
    monkeypatch.setenv("DL_LAB_JOBS", "ray")
    monkeypatch.delenv("DL_LAB_RAY_ADDRESS", raising=False)
    with pytest.raises(ValueError, match="needs DL_LAB_RAY_ADDRESS"):
        settings.ray_address()
    out = subprocess.run([sys.executable, "-m", "dl_core", "info"], cwd=ROOT, capture_output=True,
                         text=True, env={**_env(tmp_path), "DL_LAB_JOBS": "celery"}, timeout=120)
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0
    assert "DL_LAB_JOBS='celery' is not a job backend" in out.stderr


def test_ray_max_jobs(monkeypatch):
    monkeypatch.delenv("DL_LAB_RAY_MAX_JOBS", raising=False)
    assert settings.ray_max_jobs() is None  # one per CPU of the cluster
    monkeypatch.setenv("DL_LAB_RAY_MAX_JOBS", "3")
    assert settings.ray_max_jobs() == 3


# -- the hub ------------------------------------------------------------------------------------
def test_the_hub_gives_a_running_key_to_the_second_replica():
    hub = Hub()
    token, new = hub.claim("k1", "replica-a")
    assert new
    assert hub.claim("k1", "replica-b") == (token, False)
    assert hub.stats() == {"launched": 1, "running": 1}
    hub.push(token, [{"kind": "epoch", "epoch": 1}])
    hub.push(token, [{"kind": "epoch", "epoch": 2}])
    first = hub.read(token, 0)
    assert [e["epoch"] for e in first["events"]] == [1, 2] and first["total"] == 2
    assert hub.read(token, 1)["events"] == [{"kind": "epoch", "epoch": 2}]
    hub.finish(token)
    again, new = hub.claim("k1", "replica-a")  # finished: the key trains anew (e.g. after a failure)
    assert new and again != token and hub.stats()["launched"] == 2


def test_cancel_waits_for_the_last_replica():
    hub = Hub()
    token, _ = hub.claim("k", "a")
    hub.claim("k", "b")
    assert hub.detach(token, "a") == 1 and not hub.should_stop(token)
    assert hub.detach(token, "b") == 0
    hub.request_cancel(token)
    assert hub.should_stop(token) and hub.read(token, 0)["cancel_at"] is not None


def test_the_hub_forgets_finished_jobs_after_a_while():
    now = [1000.0]
    hub = Hub(clock=lambda: now[0])
    token, _ = hub.claim("k", "a")
    hub.finish(token)
    assert not hub.read(token, 0)["lost"]
    now[0] += KEEP_FINISHED_S + 1
    hub.claim("other", "a")
    assert hub.read(token, 0)["lost"] and hub.should_stop(token)


# -- entries and data as bytes ---------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    cache = ModelCache(tmp_path_factory.mktemp("node-cache"))
    entry, _ = train_or_load(resolve("fake", {"tag": "bundle", "epochs": 1}), cache)
    return entry


def test_an_entry_travels_as_bytes_and_arrives_whole(trained, tmp_path):
    replica = ModelCache(tmp_path / "replica")
    packed = pack_entry(trained)
    arrived = unpack_entry(replica, packed)
    assert arrived.path.parent.parent == replica.models and arrived.key == trained.key
    assert replica.get("fake", trained.key).meta == trained.meta
    assert (arrived.path / "model.keras").read_bytes() == (trained.path / "model.keras").read_bytes()
    assert unpack_entry(replica, packed).path == arrived.path  # twice: the first is kept


@pytest.mark.parametrize("damage", ["truncated model", "meta for another key", "no meta"])
def test_damaged_bytes_are_refused_and_leave_nothing(trained, tmp_path, damage):
    packed = pack_entry(trained)
    files = dict(packed["files"])
    if damage == "truncated model":
        files["model.keras"] = files["model.keras"][:-10]
    elif damage == "meta for another key":
        files["meta.json"] = json.dumps({**trained.meta, "key": "0" * 24}).encode()
    else:
        del files["meta.json"]
    replica = ModelCache(tmp_path / "replica")
    with pytest.raises(DamagedEntry):
        unpack_entry(replica, {**packed, "files": files})
    assert replica.get("fake", trained.key) is None
    assert not (replica.models / "fake").exists()  # refused before anything was written


def test_a_learners_file_or_folder_travels_with_the_same_content(tmp_path):
    upload = tmp_path / "uploads" / "prices.csv"
    upload.parent.mkdir()
    upload.write_text("Date,Close\n2024-01-02,1.0\n")
    (tmp_path / "node-a").mkdir()
    (tmp_path / "node-b").mkdir()
    arrived = unpack_data(pack_data(str(upload)), tmp_path / "node-a")
    assert arrived.endswith("prices.csv") and open(arrived).read() == upload.read_text()

    folder = tmp_path / "classes"
    for name in ("ants", "bees"):
        (folder / name).mkdir(parents=True)
        (folder / name / "1.txt").write_text(name)
    unpacked = unpack_data(pack_data(str(folder)), tmp_path / "node-b")
    assert sorted(p.relative_to(unpacked).as_posix() for p in _files(unpacked)) == \
        ["ants/1.txt", "bees/1.txt"]


def _files(folder):
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def _env(tmp_path) -> dict:
    return {**os.environ, "DL_LAB_CACHE_DIR": str(tmp_path / "cache")}


class _UnreachableCluster:
    """An executor whose cluster does not answer: every start fails."""

    name = "unreachable"

    def free_slots(self):
        return 1

    def start(self, job_id, task):
        raise TimeoutError("the hub did not answer within 15 s")

    def cancel(self, job_id):
        pass

    def poll(self, timeout):
        import time

        time.sleep(timeout)
        return []

    def pids(self):
        return []

    def describe(self):
        return "nowhere"

    def idle(self):
        return True

    def shutdown(self, timeout=10.0):
        pass


def test_a_training_that_cannot_start_fails_readably_and_the_manager_goes_on(tmp_path):
    from dl_core.engine.jobs import JobManager

    manager = JobManager(ModelCache(tmp_path / "cache"), executor=_UnreachableCluster())
    try:
        ticket = manager.request("fake", {"tag": "unreachable"})
        status = manager.wait(ticket.job_id, timeout=10)
        assert status.state == "failed"
        assert status.error == ("the training could not start (TimeoutError: the hub did not "
                                "answer within 15 s)")
        assert manager.find_active(ticket.resolved.key) is None  # the key is free for a retry
        assert manager.request("fake", {"tag": "unreachable"}).job_id != ticket.job_id
    finally:
        manager.shutdown()

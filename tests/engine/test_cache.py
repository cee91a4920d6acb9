"""The model cache: atomic writes, recovery from damage, concurrent writers, LRU eviction."""

import json
import multiprocessing as mp
import os
import time

import numpy as np
import pytest

from dl_core.engine.cache import META, ModelCache
from dl_core.keys import make_key


class FakeModel:
    """Stands in for a keras.Model: `save` writes bytes (or fails half-way, like a crash)."""

    def __init__(self, payload: bytes = b"weights", fail: bool = False):
        self.payload, self.fail = payload, fail

    def save(self, path):
        with open(path, "wb") as handle:
            handle.write(self.payload[: len(self.payload) // 2])
            if self.fail:
                raise OSError("disk full (simulated)")
            handle.write(self.payload[len(self.payload) // 2:])


def put(cache, key, payload=b"weights", fail=False, topic="t"):
    return cache.put(topic, key, {"topic": topic, "metrics": {"m": 1.0}}, FakeModel(payload, fail),
                     [np.zeros((2, 2), np.uint8)], {"a": np.arange(3)})


def test_key_depends_on_every_ingredient():
    base = make_key("t", 1, {"a": 1}, "data", 0)
    assert base == make_key("t", 1, {"a": 1}, "data", 0)
    variants = [make_key("u", 1, {"a": 1}, "data", 0), make_key("t", 2, {"a": 1}, "data", 0),
                make_key("t", 1, {"a": 2}, "data", 0), make_key("t", 1, {"a": 1}, "other", 0),
                make_key("t", 1, {"a": 1}, "data", 1)]
    assert base not in variants and len(set(variants)) == len(variants)


def test_put_then_get_round_trips(tmp_path):
    cache = ModelCache(tmp_path)
    entry = put(cache, "k1")
    again = cache.get("t", "k1")
    assert again is not None and again.metrics == {"m": 1.0}
    assert entry.model_path.read_bytes() == b"weights"
    assert again.previews()[0].shape == (2, 2)
    assert list(again.artifacts()["a"]) == [0, 1, 2]


def test_failed_write_leaves_nothing_behind(tmp_path):
    cache = ModelCache(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        put(cache, "k1", fail=True)
    assert cache.get("t", "k1") is None
    assert os.listdir(cache.models / "t") == []  # not even the temporary directory


@pytest.mark.parametrize("damage", ["garbage meta", "missing model", "missing meta", "bad npz"])
def test_damaged_entry_is_dropped_so_it_retrains(tmp_path, damage):
    cache = ModelCache(tmp_path)
    entry = put(cache, "k1")
    if damage == "garbage meta":
        (entry.path / META).write_text("{not json")
    elif damage == "missing model":
        entry.model_path.unlink()
    elif damage == "missing meta":
        (entry.path / META).unlink()
    else:
        (entry.path / "previews.npz").write_bytes(b"PK\x03\x04 broken")
    assert cache.get("t", "k1") is None
    assert not entry.path.exists()
    put(cache, "k1")  # and it can be written again
    assert cache.get("t", "k1") is not None


def _writer(root, key, payload, start_at):
    while time.time() < start_at:
        pass
    put(ModelCache(root), key, payload=payload)


def test_two_processes_writing_one_key_leave_one_valid_entry(tmp_path):
    start_at = time.time() + 1.0
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), "same", p * 5000, start_at))
             for p in (b"A", b"B")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    entry = ModelCache(tmp_path).get("t", "same")
    assert entry is not None
    assert entry.model_path.read_bytes() in (b"A" * 5000, b"B" * 5000)  # whole, never mixed
    assert sorted(os.listdir(ModelCache(tmp_path).models / "t")) == ["same"]


def test_eviction_removes_least_recently_used(tmp_path):
    cache = ModelCache(tmp_path, max_bytes=10**9)
    for index, key in enumerate(["old", "used", "new"]):
        put(cache, key, payload=os.urandom(20_000))
        os.utime(cache.entry_dir("t", key) / ".last_used", (1000 + index, 1000 + index))
    cache.get("t", "used")  # a hit makes it recent
    cache.max_bytes = cache.size_bytes() - 1  # one entry too many
    removed = cache.evict()
    assert [p.name for p in removed] == ["old"]
    assert cache.get("t", "used") is not None and cache.get("t", "new") is not None


def test_put_evicts_to_respect_the_cap(tmp_path):
    cache = ModelCache(tmp_path, max_bytes=60_000)
    for key in ["a", "b", "c", "d"]:
        put(cache, key, payload=os.urandom(20_000))
        time.sleep(0.01)
    assert cache.size_bytes() <= 60_000
    assert cache.get("t", "d") is not None  # the newest is always kept


def test_clear_and_entries(tmp_path):
    cache = ModelCache(tmp_path)
    put(cache, "a", topic="x")
    put(cache, "b", topic="y")
    assert {e.key for e in cache.entries()} == {"a", "b"}
    assert cache.clear("x") == 1
    assert [e.key for e in cache.entries()] == ["b"]
    meta = json.loads((cache.entry_dir("y", "b") / META).read_text())
    assert meta["key"] == "b" and "created" in meta


# --- damage is proven, never guessed (issue: a failed read deleted good models) ---------------

def test_a_read_that_fails_keeps_the_entry(tmp_path, monkeypatch):
    import errno
    from pathlib import Path

    cache = ModelCache(tmp_path)
    entry = put(cache, "k1")
    real_read_text = Path.read_text

    def too_many_open_files(self, *args, **kwargs):
        if self.name == META:
            raise OSError(errno.EMFILE, "Too many open files")
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", too_many_open_files)
    assert cache.get("t", "k1") is None  # cannot be read now...
    assert entry.path.is_dir() and (entry.path / META).is_file()  # ...and is still there
    monkeypatch.setattr(Path, "read_text", real_read_text)
    assert cache.get("t", "k1") is not None and "k1" not in cache.damaged


def test_a_read_that_fails_once_is_retried(tmp_path, monkeypatch):
    from pathlib import Path

    cache = ModelCache(tmp_path)
    put(cache, "k1")
    real_read_text, failures = Path.read_text, []

    def fails_once(self, *args, **kwargs):
        if self.name == META and not failures:
            failures.append(1)
            raise OSError("I/O error (simulated)")
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", fails_once)
    assert cache.get("t", "k1") is not None and failures == [1]


@pytest.mark.parametrize("damage, reason", [
    ("truncated model", "model.keras has"),
    ("same size, other bytes", "sha256 mismatch"),
    ("other key", "another key"),
])
def test_proven_damage_is_dropped_and_reported(tmp_path, damage, reason):
    cache = ModelCache(tmp_path)
    entry = put(cache, "k1", payload=b"weights" * 100)
    if damage == "truncated model":
        entry.model_path.write_bytes(entry.model_path.read_bytes()[:100])
    elif damage == "same size, other bytes":
        entry.model_path.write_bytes(b"X" * entry.model_path.stat().st_size)
    else:
        meta = json.loads((entry.path / META).read_text())
        (entry.path / META).write_text(json.dumps(dict(meta, key="k2")))
    assert cache.get("t", "k1") is None
    assert not entry.path.exists()
    assert reason in cache.damaged["k1"]


def test_entry_written_before_hashes_is_checked_as_a_zip(tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("config.json", "{}")
    cache = ModelCache(tmp_path)
    entry = put(cache, "old", payload=buffer.getvalue())
    meta = json.loads((entry.path / META).read_text())
    del meta["files"]  # what an entry of the previous release looks like
    (entry.path / META).write_text(json.dumps(meta))
    assert cache.get("t", "old") is not None  # a complete zip: served
    entry.model_path.write_bytes(buffer.getvalue()[:30])  # truncated, as a killed copy leaves it
    assert cache.get("t", "old") is None and "not a complete file" in cache.damaged["old"]


def test_damage_is_judged_again_under_the_lock(tmp_path, monkeypatch):
    """Between the first look and the lock another process may have rewritten the entry."""
    from dl_core.engine import cache as cache_module

    cache = ModelCache(tmp_path)
    entry = put(cache, "k1")
    real_read, calls = ModelCache._read, []

    def damaged_at_first(self, path):
        calls.append(path)
        if len(calls) == 1:  # the first look sees damage...
            raise cache_module.DamagedEntry("simulated")
        return real_read(self, path)  # ...but under the lock it reads fine

    monkeypatch.setattr(ModelCache, "_read", damaged_at_first)
    monkeypatch.setattr(ModelCache, "_read_with_retry", lambda self, path: self._read(path))
    assert cache.get("t", "k1") is not None and entry.path.is_dir()


def test_unfinished_writes_are_not_counted_and_are_swept(tmp_path):
    import socket
    import subprocess
    import sys

    cache = ModelCache(tmp_path)
    put(cache, "k1")
    models_only = cache.size_bytes()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    host = socket.gethostname()
    leftovers = {name: cache.models / "t" / name for name in
                 (f".tmp-k2~{host}~{dead}~abcd1234", f".tmp-k3~{host}~{os.getpid()}~abcd1234")}
    for path in leftovers.values():
        path.mkdir()
        (path / "model.keras").write_bytes(os.urandom(50_000))
    assert cache.size_bytes() == models_only  # a killed write is never counted
    swept = cache.sweep_unfinished()
    assert [p.name for p in swept] == [f".tmp-k2~{host}~{dead}~abcd1234"]  # its writer is dead
    assert leftovers[f".tmp-k3~{host}~{os.getpid()}~abcd1234"].is_dir()  # ours is still writing
    assert cache.get("t", "k1") is not None

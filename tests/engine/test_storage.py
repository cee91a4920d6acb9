"""Three storage places, never mixed: models, datasets, uploads (and the old layout's migration)."""

import json
import os
import time

import numpy as np
from test_cache import put

from dl_core import settings, storage
from dl_core.engine.cache import META, ModelCache


def fill(path, megabytes: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(int(megabytes * 2**20)))


def test_models_datasets_and_uploads_live_apart(tmp_path, monkeypatch):
    monkeypatch.setenv("DL_LAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DL_LAB_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert settings.models_dir() == tmp_path / "cache" / "models"
    assert settings.uploads_dir() == tmp_path / "cache" / "uploads"
    assert settings.features_dir().parent == settings.uploads_dir()
    assert settings.data_dir() == tmp_path / "share" / "dl-lab" / "datasets"  # not in the cache


def test_clear_removes_models_only_and_counts_exactly(tmp_path, monkeypatch):
    monkeypatch.setenv("DL_LAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("DL_LAB_DATA_DIR", str(tmp_path / "data"))
    cache = ModelCache(tmp_path)
    put(cache, "only", topic="autoencoder")
    kept = [tmp_path / "data" / "mnist.npz", settings.uploads_dir() / "abc.csv",
            settings.features_dir() / "f.npz", settings.uploads_dir() / "extracted" / "zip-1" / "a.png"]
    for path in kept:
        fill(path, 0.01)
    assert cache.clear() == 1
    assert cache.entries() == [] and all(path.is_file() for path in kept)


def test_eviction_counts_models_not_data(tmp_path, monkeypatch):
    """With a 6 MB cap and 5.6 MB of data, two 1.1 MB models both fit."""
    monkeypatch.setenv("DL_LAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("DL_LAB_DATA_DIR", str(tmp_path / "datasets"))
    fill(tmp_path / "datasets" / "pets.tar", 3.0)
    fill(settings.uploads_dir() / "big.zip", 2.6)
    cache = ModelCache(tmp_path, max_bytes=6 * 2**20)
    for key in ("first", "second"):
        put(cache, key, payload=os.urandom(int(1.1 * 2**20)))
    assert {e.key for e in cache.entries()} == {"first", "second"}
    sizes = storage.sizes()
    assert sizes["models"] == cache.size_bytes() and sizes["datasets"] >= 3 * 2**20
    assert sizes["uploads"] >= int(2.6 * 2**20)


def test_old_layout_is_migrated_without_retraining(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("DL_LAB_CACHE_DIR", str(root))
    monkeypatch.delenv("DL_LAB_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    staging = ModelCache(tmp_path / "staging")
    entry = put(staging, "key1", topic="autoencoder")
    (root / "autoencoder").mkdir(parents=True)
    os.replace(entry.path, root / "autoencoder" / "key1")  # <cache>/<topic>/<key>/, as before
    fill(root / "datasets" / "mnist.npz", 0.01)
    fill(root / "features" / "feat.npz", 0.01)
    model_bytes = (root / "autoencoder" / "key1" / "model.keras").read_bytes()

    moved = ModelCache(root).get("autoencoder", "key1")
    assert moved is not None and moved.path == root / "models" / "autoencoder" / "key1"
    assert moved.model_path.read_bytes() == model_bytes  # the same file: moved, not retrained
    assert (tmp_path / "share" / "dl-lab" / "datasets" / "mnist.npz").is_file()
    assert (root / "uploads" / "features" / "feat.npz").is_file()
    assert not (root / "autoencoder").exists() and not (root / "datasets").exists()


def test_migration_never_overwrites(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("DL_LAB_CACHE_DIR", str(root))
    monkeypatch.setenv("DL_LAB_DATA_DIR", str(tmp_path / "data"))
    fill(tmp_path / "data" / "mnist.npz", 0.01)
    fill(root / "datasets" / "mnist.npz", 0.02)  # a different file of the same name
    ModelCache(root)
    assert (root / "datasets" / "mnist.npz").stat().st_size == int(0.02 * 2**20)  # left in place
    assert (tmp_path / "data" / "mnist.npz").stat().st_size == int(0.01 * 2**20)


def test_uploads_have_their_own_age_limit_and_cap(tmp_path, monkeypatch):
    monkeypatch.setenv("DL_LAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("DL_LAB_UPLOADS_MAX_MB", "1")
    monkeypatch.setenv("DL_LAB_UPLOADS_MAX_AGE_DAYS", "2")
    uploads = settings.uploads_dir()
    old, older, fresh, newest = (uploads / name for name in ("old.csv", "older.zip", "fresh.csv", "new.csv"))
    for path, megabytes in ((old, 0.1), (older, 0.1), (fresh, 0.6), (newest, 0.6)):
        fill(path, megabytes)
    now = time.time()
    os.utime(older, (now - 5 * 86400, now - 5 * 86400))  # unused for five days
    os.utime(old, (now - 3600, now - 3600))
    os.utime(fresh, (now - 60, now - 60))
    removed = storage.sweep_uploads(keep=newest, force=True)
    assert [p.name for p in removed] == ["older.zip", "old.csv", "fresh.csv"]  # too old, then LRU
    assert newest.is_file()


def test_info_shows_the_three_places(tmp_path):
    from test_cli import cli

    out = cli("info", cache=tmp_path).stdout
    for label in ("models:", "datasets:", "uploads:"):
        assert label in out
    assert "(never cleared)" in out


def test_meta_records_size_and_hash_of_every_file(tmp_path):
    entry = put(ModelCache(tmp_path), "k")
    files = json.loads((entry.path / META).read_text())["files"]
    assert set(files) == {"model.keras", "previews.npz", "artifacts.npz"}
    assert files["model.keras"]["size"] == len(b"weights") and len(files["model.keras"]["sha256"]) == 64
    assert np.load(entry.path / "previews.npz")["epoch_0"].shape == (2, 2)

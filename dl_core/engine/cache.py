"""On-disk store of trained models, shared by every session, process and restart.

Layout: `<root>/<topic>/<key>/` holding `model.keras`, `meta.json`, `previews.npz` and
`artifacts.npz`. An entry is written whole into a temporary directory beside its final place and
moved there with `os.replace`, so a reader sees either nothing or a complete entry; a crash leaves
at most a `.tmp-*` directory, which is swept later. `meta.json` is written last, and an entry
whose files cannot be read is dropped, so the caller simply trains again.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from dl_core import settings

META = "meta.json"
MODEL = "model.keras"
PREVIEWS = "previews.npz"
ARTIFACTS = "artifacts.npz"
LAST_USED = ".last_used"
TMP_PREFIX = ".tmp-"
STALE_TMP_SECONDS = 3600


def _dir_size(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, name))
            except OSError:
                pass  # removed while we walked: another process evicted it
    return total


@dataclass
class Entry:
    """One complete cache entry. Arrays are read lazily: the page often needs only the metadata."""

    path: Path
    meta: dict

    @property
    def key(self) -> str:
        return self.meta["key"]

    @property
    def topic(self) -> str:
        return self.meta["topic"]

    @property
    def model_path(self) -> Path:
        return self.path / MODEL

    @property
    def metrics(self) -> dict:
        return self.meta.get("metrics", {})

    @property
    def history(self) -> dict:
        return self.meta.get("history", {})

    def previews(self) -> list[np.ndarray]:
        with np.load(self.path / PREVIEWS) as data:
            return [data[f"epoch_{i}"] for i in range(len(data.files))]

    def artifacts(self) -> dict[str, np.ndarray]:
        with np.load(self.path / ARTIFACTS) as data:
            return {name: data[name] for name in data.files}

    def size_bytes(self) -> int:
        return _dir_size(self.path)

    def last_used(self) -> float:
        try:
            return (self.path / LAST_USED).stat().st_mtime
        except OSError:
            return 0.0


class ModelCache:
    def __init__(self, root: str | Path | None = None, max_bytes: int | None = None):
        self.root = Path(root) if root is not None else settings.cache_dir()
        self.max_bytes = max_bytes if max_bytes is not None else settings.cache_max_bytes()
        self.root.mkdir(parents=True, exist_ok=True)

    # -- reading ---------------------------------------------------------------------------
    def entry_dir(self, topic: str, key: str) -> Path:
        return self.root / topic / key

    def get(self, topic: str, key: str) -> Entry | None:
        """The entry, or None. An unreadable entry is removed so that it is trained again."""
        path = self.entry_dir(topic, key)
        if not path.exists():
            return None
        entry = self._read(path)
        if entry is None:
            self._discard(path)
            return None
        self._touch(path)
        return entry

    def _read(self, path: Path) -> Entry | None:
        try:
            meta = json.loads((path / META).read_text())
            if not (path / MODEL).is_file() or meta.get("key") != path.name:
                return None
            with np.load(path / PREVIEWS) as data:  # reads only the zip directory
                data.files
            with np.load(path / ARTIFACTS) as data:
                data.files
            return Entry(path=path, meta=meta)
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError):
            return None
        except Exception:  # a damaged zip raises BadZipFile and friends: same verdict
            return None

    def entries(self, topic: str | None = None) -> list[Entry]:
        topics = [topic] if topic else [p.name for p in self._topic_dirs()]
        found = []
        for name in topics:
            folder = self.root / name
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.name.startswith(TMP_PREFIX) or not path.is_dir():
                    continue
                entry = self._read(path)
                if entry is not None:
                    found.append(entry)
        return found

    def size_bytes(self) -> int:
        return _dir_size(self.root)

    # -- writing ---------------------------------------------------------------------------
    def lock(self, key: str, purpose: str = "train", timeout: float = -1) -> FileLock:
        """Cross-process lock for one key and purpose ("train": one training per key at a time;
        "write": moving an entry into place)."""
        locks = self.root / ".locks"
        locks.mkdir(exist_ok=True)
        return FileLock(str(locks / f"{key}.{purpose}.lock"), timeout=timeout)

    def put(self, topic: str, key: str, meta: dict, model: Any,
            previews: list[np.ndarray], artifacts: dict[str, np.ndarray]) -> Entry:
        """Write a complete entry atomically; if another writer won the race, keep theirs."""
        folder = self.root / topic
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{TMP_PREFIX}{key}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            self._write_files(tmp, key, meta, model, previews, artifacts)
            return self._move_into_place(tmp, folder / key)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def _write_files(self, tmp: Path, key: str, meta: dict, model: Any,
                     previews: list[np.ndarray], artifacts: dict[str, np.ndarray]) -> None:
        model.save(tmp / MODEL)
        np.savez_compressed(tmp / PREVIEWS, **{f"epoch_{i}": p for i, p in enumerate(previews)})
        np.savez_compressed(tmp / ARTIFACTS, **artifacts)
        (tmp / LAST_USED).touch()
        full_meta = {**meta, "key": key, "created": time.time()}
        # meta.json last: its presence is what marks the files above as complete.
        (tmp / META).write_text(json.dumps(full_meta, indent=1, default=_json_default))

    def _move_into_place(self, tmp: Path, final: Path) -> Entry:
        with self.lock(final.name, purpose="write"):
            if final.exists():
                existing = self._read(final)
                if existing is not None:
                    return existing  # an identical training finished first; ours is discarded
                self._discard(final)
            os.replace(tmp, final)
        entry = self._read(final)
        assert entry is not None, f"cache entry {final} unreadable right after writing"
        self.evict(keep=final)
        return entry

    # -- housekeeping ----------------------------------------------------------------------
    def evict(self, keep: Path | None = None) -> list[Path]:
        """Remove least-recently-used entries until the cache fits `max_bytes`."""
        self._sweep_stale_tmp()
        entries = sorted(self.entries(), key=lambda e: e.last_used())
        total = self.size_bytes()
        removed = []
        for entry in entries:
            if total <= self.max_bytes:
                break
            if keep is not None and entry.path == keep:
                continue
            total -= entry.size_bytes()
            self._discard(entry.path)
            removed.append(entry.path)
        return removed

    def clear(self, topic: str | None = None) -> int:
        targets = [self.root / topic] if topic else self._topic_dirs()
        count = 0
        for folder in targets:
            if folder.is_dir():
                count += sum(1 for p in folder.iterdir() if not p.name.startswith(TMP_PREFIX))
                shutil.rmtree(folder, ignore_errors=True)
        return count

    def _topic_dirs(self) -> list[Path]:
        return [p for p in sorted(self.root.iterdir()) if p.is_dir() and not p.name.startswith(".")]

    def _sweep_stale_tmp(self) -> None:
        cutoff = time.time() - STALE_TMP_SECONDS
        for folder in self._topic_dirs():
            for path in folder.glob(f"{TMP_PREFIX}*"):
                try:
                    if path.stat().st_mtime < cutoff:
                        shutil.rmtree(path, ignore_errors=True)
                except OSError:
                    pass

    @staticmethod
    def _touch(path: Path) -> None:
        try:
            (path / LAST_USED).touch()
        except OSError:
            pass  # a read-only cache still serves hits

    @staticmethod
    def _discard(path: Path) -> None:
        # Rename first so that no reader ever sees a half-deleted entry under its real name.
        doomed = path.with_name(f"{TMP_PREFIX}discard-{path.name}-{uuid.uuid4().hex[:8]}")
        try:
            os.replace(path, doomed)
        except OSError:
            return
        shutil.rmtree(doomed, ignore_errors=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")

"""On-disk store of trained models, shared by every session, process and restart.

Layout: `<cache root>/models/<topic>/<key>/` holding `model.keras`, `meta.json`, `previews.npz`
and `artifacts.npz`. Only models live under `models/`: datasets and learners' uploads have their
own places (dl_core.settings), so clearing or evicting models can never touch them.

An entry is written whole into a temporary directory beside its final place and moved there
with `os.replace`, so a reader sees either nothing or a complete entry; a crash leaves at most a
`.tmp-*` directory, never counted and swept once its writer is gone. `meta.json` is written last
and records every file's size and sha256.

Damage is proven, never guessed: an entry is dropped only when its `meta.json` does not parse,
names another key, or a file is missing or differs from what `meta.json` recorded — and only
under the key's write lock, after reading it again. A read that merely failed (too many open
files, an I/O error, no memory) leaves the entry where it is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from dl_core import settings
from dl_core.data.download import file_sha256
from dl_core.storage import folder_size

log = logging.getLogger(__name__)

META = "meta.json"
MODEL = "model.keras"
PREVIEWS = "previews.npz"
ARTIFACTS = "artifacts.npz"
ENTRY_FILES = (MODEL, PREVIEWS, ARTIFACTS)
LAST_USED = ".last_used"
MODELS = "models"
TMP_PREFIX = ".tmp-"
TMP_SEPARATOR = "~"  # .tmp-<what>~<host>~<pid>~<random>: who wrote it, to know when it is stale
STALE_TMP_SECONDS = 3600
TRANSIENT_ERRORS = (OSError, MemoryError)  # a failed read, not a damaged entry


class DamagedEntry(Exception):
    """Proof that an entry is broken; the message says which file and how."""


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
        return folder_size(self.path)

    def last_used(self) -> float:
        try:
            return (self.path / LAST_USED).stat().st_mtime
        except OSError:
            return 0.0


class ModelCache:
    """`root` is the cache root (DL_LAB_CACHE_DIR); the models are in `root/models/`."""

    _prepared: set[str] = set()  # roots migrated and swept by this process
    _prepare_lock = threading.Lock()

    def __init__(self, root: str | Path | None = None, max_bytes: int | None = None):
        self.root = Path(root) if root is not None else settings.cache_dir()
        self.models = self.root / MODELS
        self.max_bytes = max_bytes if max_bytes is not None else settings.cache_max_bytes()
        self.models.mkdir(parents=True, exist_ok=True)
        self.damaged: dict[str, str] = {}  # key -> why it was dropped (the page says so once)
        self._prepare()

    # -- reading ---------------------------------------------------------------------------
    def entry_dir(self, topic: str, key: str) -> Path:
        return self.models / topic / key

    def get(self, topic: str, key: str) -> Entry | None:
        """The entry, or None. A proven-damaged entry is dropped (so it retrains); an entry that
        merely could not be read now is kept, and None is returned."""
        path = self.entry_dir(topic, key)
        if not path.exists():
            return None
        try:
            entry = self._read_with_retry(path)
        except DamagedEntry as damage:
            return self._drop_if_still_damaged(path, damage)
        except TRANSIENT_ERRORS as err:
            log.warning("could not read cache entry %s/%s (%s); it is kept", topic, key, err)
            return None
        self._touch(path)
        return entry

    def _read_with_retry(self, path: Path) -> Entry:
        try:
            return self._read(path)
        except TRANSIENT_ERRORS:
            time.sleep(0.05)  # once more: a full file table or a busy disk is often gone by now
            return self._read(path)

    def _read(self, path: Path) -> Entry:
        """The entry at `path`; DamagedEntry when it is proven broken; OSError when unreadable."""
        meta_path = path / META
        if not meta_path.exists():
            raise DamagedEntry("meta.json is missing")
        try:
            meta = json.loads(meta_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise DamagedEntry(f"meta.json does not parse ({err})") from None
        if not isinstance(meta, dict) or meta.get("key") != path.name:
            raise DamagedEntry("meta.json belongs to another key")
        for name in ENTRY_FILES:
            if not (path / name).is_file():
                raise DamagedEntry(f"{name} is missing")
        recorded = meta.get("files")
        if isinstance(recorded, dict):
            for name, facts in recorded.items():
                self._check_recorded(path, name, facts)
        else:  # written before sizes and hashes were recorded: check the zips' directories
            for name in ENTRY_FILES:
                _check_zip(path / name)
        return Entry(path=path, meta=meta)

    def _check_recorded(self, path: Path, name: str, facts: dict) -> None:
        stat = (path / name).stat()
        if stat.st_size != facts.get("size"):
            raise DamagedEntry(f"{name} has {stat.st_size} bytes, {facts.get('size')} were written")
        # file_sha256 memoises on (path, size, mtime): a hit hashes a file once per process.
        if file_sha256(path / name) != facts.get("sha256"):
            raise DamagedEntry(f"{name} differs from what was written (sha256 mismatch)")

    def _drop_if_still_damaged(self, path: Path, damage: DamagedEntry) -> Entry | None:
        """Drop `path` only if, under its write lock, it is still proven damaged."""
        with self.lock(path.name, purpose="write"):
            try:
                entry = self._read(path)
            except DamagedEntry as again:
                log.warning("dropping damaged cache entry %s/%s: %s", path.parent.name, path.name, again)
                self.damaged[path.name] = str(again)
                self._discard(path)
                return None
            except TRANSIENT_ERRORS as err:
                log.warning("cache entry %s looked damaged (%s) but cannot be read again (%s); kept",
                            path.name, damage, err)
                return None
        return entry  # rewritten by another process meanwhile: it is good now

    def entries(self, topic: str | None = None) -> list[Entry]:
        """Every readable entry (damaged or unreadable ones are left for `get` to judge)."""
        found = []
        for folder in self._topic_dirs(topic):
            for path in sorted(folder.iterdir()):
                if path.name.startswith(TMP_PREFIX) or not path.is_dir():
                    continue
                try:
                    found.append(self._read(path))
                except (DamagedEntry, *TRANSIENT_ERRORS):
                    continue
        return found

    def size_bytes(self) -> int:
        """Bytes of the models themselves: unfinished writes and locks (dot folders) are not counted."""
        return folder_size(self.models)

    # -- writing ---------------------------------------------------------------------------
    def lock(self, key: str, purpose: str = "train", timeout: float = -1) -> FileLock:
        """Cross-process lock for one key and purpose ("train": one training per key at a time;
        "write": moving an entry into place or dropping it)."""
        locks = self.models / ".locks"
        locks.mkdir(exist_ok=True)
        return FileLock(str(locks / f"{key}.{purpose}.lock"), timeout=timeout)

    def put(self, topic: str, key: str, meta: dict, model: Any,
            previews: list[np.ndarray], artifacts: dict[str, np.ndarray]) -> Entry:
        """Write a complete entry atomically; if another writer won the race, keep theirs."""
        folder = self.models / topic
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / _tmp_name(key)
        tmp.mkdir()
        try:
            self._write_files(tmp, key, meta, model, previews, artifacts)
            return self._move_into_place(tmp, folder / key)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def put_files(self, topic: str, key: str, files: dict[str, bytes]) -> Entry:
        """An entry written elsewhere (a Ray task on another machine), as its files' bytes:
        checked against the sizes and hashes its meta.json records, then moved into place
        exactly like `put`. DamagedEntry when the bytes are not the entry they claim to be."""
        _check_packed(key, files)
        folder = self.models / topic
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / _tmp_name(key)
        tmp.mkdir()
        try:
            for name in ENTRY_FILES:
                (tmp / name).write_bytes(files[name])
            (tmp / LAST_USED).touch()
            (tmp / META).write_bytes(files[META])  # last, as in put()
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
        files = {name: {"size": (tmp / name).stat().st_size, "sha256": file_sha256(tmp / name)}
                 for name in ENTRY_FILES}
        full_meta = {**meta, "key": key, "created": time.time(), "files": files}
        # meta.json last: its presence is what marks the files above as complete.
        (tmp / META).write_text(json.dumps(full_meta, indent=1, default=_json_default))

    def _move_into_place(self, tmp: Path, final: Path) -> Entry:
        with self.lock(final.name, purpose="write"):
            if final.exists():
                try:
                    return self._read(final)  # an identical training finished first; ours goes
                except DamagedEntry as damage:
                    log.warning("replacing damaged cache entry %s: %s", final.name, damage)
                    self._discard(final)
                # A transient read error propagates: we never replace what we cannot read.
            os.replace(tmp, final)
        entry = self._read(final)
        self.damaged.pop(final.name, None)
        self.evict(keep=final)
        return entry

    # -- housekeeping ----------------------------------------------------------------------
    def evict(self, keep: Path | None = None) -> list[Path]:
        """Remove least-recently-used models until the cache fits `max_bytes`."""
        self.sweep_unfinished()
        entries = sorted(self.entries(), key=lambda e: e.last_used())
        total = self.size_bytes()
        removed = []
        for entry in entries:
            if total <= self.max_bytes:
                break
            if keep is not None and entry.path == keep:
                continue
            total -= entry.size_bytes()
            log.info("evicting %s/%s (least recently used; cache over its cap)", entry.topic, entry.key)
            self._discard(entry.path)
            removed.append(entry.path)
        return removed

    def clear(self, topic: str | None = None) -> int:
        """Remove every model (of one topic): the exact number of entries removed."""
        count = 0
        for folder in self._topic_dirs(topic):
            for path in sorted(folder.iterdir()):
                if path.is_dir() and not path.name.startswith(TMP_PREFIX):
                    self._discard(path)
                    count += 1
        return count

    def sweep_unfinished(self) -> list[Path]:
        """Remove temporary directories whose writer is gone (this host, dead pid) or that are
        older than STALE_TMP_SECONDS (a writer elsewhere that never finished)."""
        swept = []
        for folder in self._topic_dirs():
            for path in folder.glob(f"{TMP_PREFIX}*"):
                if _unfinished_is_stale(path):
                    shutil.rmtree(path, ignore_errors=True)
                    swept.append(path)
        return swept

    def _topic_dirs(self, topic: str | None = None) -> list[Path]:
        if topic is not None:
            folder = self.models / topic
            return [folder] if folder.is_dir() else []
        return [p for p in sorted(self.models.iterdir()) if p.is_dir() and not p.name.startswith(".")]

    def _prepare(self) -> None:
        """Once per process and root: move a cache in the old layout into place, sweep leftovers."""
        with self._prepare_lock:
            if str(self.root) in self._prepared:
                return
            from dl_core.engine.legacy import migrate_legacy_layout

            migrate_legacy_layout(self.root, self.models)
            self.sweep_unfinished()
            self._prepared.add(str(self.root))

    @staticmethod
    def _touch(path: Path) -> None:
        try:
            (path / LAST_USED).touch()
        except OSError:
            pass  # a read-only cache still serves hits

    @staticmethod
    def _discard(path: Path) -> None:
        # Rename first so that no reader ever sees a half-deleted entry under its real name.
        doomed = path.with_name(_tmp_name(f"discard-{path.name}"))
        try:
            os.replace(path, doomed)
        except OSError:
            return
        shutil.rmtree(doomed, ignore_errors=True)


def _check_packed(key: str, files: dict[str, bytes]) -> None:
    try:
        meta = json.loads(files[META])
    except (KeyError, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DamagedEntry(f"the packed entry's meta.json is missing or does not parse ({err})") from None
    if not isinstance(meta, dict) or meta.get("key") != key:
        raise DamagedEntry("the packed entry's meta.json belongs to another key")
    recorded = meta.get("files") or {}
    for name in ENTRY_FILES:
        facts, blob = recorded.get(name) or {}, files.get(name)
        if blob is None or len(blob) != facts.get("size") \
                or hashlib.sha256(blob).hexdigest() != facts.get("sha256"):
            raise DamagedEntry(f"the packed entry's {name} is missing or differs from its meta.json")


def _check_zip(path: Path) -> None:
    """A .keras or .npz file is a zip: one whose directory cannot be read is damaged."""
    try:
        with zipfile.ZipFile(path) as archive:
            archive.namelist()
    except zipfile.BadZipFile as err:
        raise DamagedEntry(f"{path.name} is not a complete file ({err})") from None


def _tmp_name(what: str) -> str:
    return TMP_SEPARATOR.join([f"{TMP_PREFIX}{what}", socket.gethostname(), str(os.getpid()),
                               uuid.uuid4().hex[:8]])


def _unfinished_is_stale(path: Path) -> bool:
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return False
    parts = path.name.split(TMP_SEPARATOR)
    if len(parts) == 4 and parts[1] == socket.gethostname() and parts[2].isdigit():
        return not _pid_alive(int(parts[2])) or age > STALE_TMP_SECONDS
    return age > STALE_TMP_SECONDS


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")

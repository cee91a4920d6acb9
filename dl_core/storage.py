"""DL Lab's three storage places, kept apart: trained models, datasets, learners' uploads.

| what | where | who may delete it |
| trained models | <cache>/models/<topic>/<key>/ | the LRU cap, `cache clear` (dl_core.engine.cache) |
| datasets | DL_LAB_DATA_DIR | nobody but the user |
| uploads, what is unpacked or computed from them | <cache>/uploads/ | their own age and size cap (here) |
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from pathlib import Path

from dl_core import settings

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 60.0  # an upload sweep walks the folder: at most once a minute per process
_last_sweep = 0.0
_sweep_lock = threading.Lock()


def folder_size(path: Path) -> int:
    """Bytes of the files below `path` (0 when it does not exist); unfinished writes excluded."""
    total = 0
    for dirpath, dirnames, files in os.walk(path):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]  # unfinished writes, locks
        for name in files:
            if name.startswith(".part-"):
                continue
            try:
                total += os.path.getsize(os.path.join(dirpath, name))
            except OSError:
                pass
    return total


def sizes() -> dict[str, int]:
    """Bytes in each storage place, for `info` and the sidebar."""
    return {"models": folder_size(settings.models_dir()), "datasets": folder_size(settings.data_dir()),
            "uploads": folder_size(settings.uploads_dir())}


def upload_items(root: Path) -> list[Path]:
    """What the uploads' cap counts and removes, one item at a time: stored files, unpacked zips
    and features files (never a half-written one)."""
    items = []
    for path in sorted(root.iterdir()) if root.is_dir() else []:
        if path.name.startswith("."):
            continue
        if path.is_dir():  # extracted/ and features/ hold one item per child
            items += [child for child in sorted(path.iterdir()) if not child.name.startswith(".")]
        else:
            items.append(path)
    return items


def sweep_uploads(keep: Path | None = None, force: bool = False) -> list[Path]:
    """Remove uploads unused for longer than the age limit, then the least recently used until
    the folder fits its cap. `keep` (the file just stored) is never removed."""
    global _last_sweep
    with _sweep_lock:
        if not force and time.monotonic() - _last_sweep < SWEEP_EVERY_S:
            return []
        _last_sweep = time.monotonic()
    root = settings.uploads_dir()
    items = sorted(upload_items(root), key=_mtime)
    removed = []
    oldest_allowed = time.time() - settings.uploads_max_age_s()
    size = {item: _size(item) for item in items}  # one walk per item
    total = sum(size.values())
    for item in items:
        too_old = _mtime(item) < oldest_allowed
        if not too_old and total <= settings.uploads_max_bytes():
            break
        if keep is not None and item == keep:
            continue
        total -= size[item]
        _remove(item)
        log.info("removed upload %s (%s)", item.name, "unused too long" if too_old else "uploads over their cap")
        removed.append(item)
    return removed


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _size(path: Path) -> int:
    return folder_size(path) if path.is_dir() else (path.stat().st_size if path.exists() else 0)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)

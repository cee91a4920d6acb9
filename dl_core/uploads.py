"""A learner's own files (CSV, zip of class folders), stored so a worker process can read them.

Uploads are saved content-addressed under `<cache>/uploads/` (with their own age limit and size
cap, dl_core.storage; never with the models): the same bytes get the same path,
so the cache key (which hashes the file's content, never its name) is shared only by identical
data, and nobody else's session can find a file without already having its bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from dl_core import settings, storage


def store_upload(data: bytes, suffix: str) -> Path:
    """Write `data` once (atomically) and return its path; `suffix` like ".csv" or ".zip"."""
    if not suffix.startswith(".") or not suffix[1:].isalnum():
        raise ValueError(f"suffix {suffix!r} must look like '.csv'")
    folder = settings.uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(data).hexdigest()[:32]}{suffix}"
    if target.exists():
        os.utime(target)  # used again: the age limit starts over
    else:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    storage.sweep_uploads(keep=target)
    return target

"""Fetching real datasets once, verified by checksum, and knowing fast when we are offline.

Nothing here is needed for the app to work: every caller has a built-in fallback. So the online
check is quick (one TCP connect with a short timeout, remembered for the process) and
`DL_LAB_OFFLINE=1` skips it entirely (the tests set it).
"""

from __future__ import annotations

import functools
import hashlib
import os
import socket
import tempfile
import urllib.request
from pathlib import Path

from dl_core import settings

PROBE_HOST = ("storage.googleapis.com", 443)
PROBE_TIMEOUT_S = 1.5
DOWNLOAD_TIMEOUT_S = 30


class DownloadError(RuntimeError):
    pass


@functools.lru_cache(maxsize=1)
def online() -> bool:
    if settings.offline():
        return False
    try:
        with socket.create_connection(PROBE_HOST, timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def fetch(url: str, target: Path, sha256: str) -> Path:
    """Download `url` to `target` unless a file with the right checksum is already there."""
    if target.is_file() and file_sha256(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp:
            while chunk := resp.read(1 << 20):
                out.write(chunk)
        actual = _hash_file(Path(tmp_name))
        if actual != sha256:
            raise DownloadError(f"{url}: checksum {actual[:12]}… does not match {sha256[:12]}…")
        os.replace(tmp_name, target)  # only a verified, complete file gets the real name
        return target
    except OSError as err:
        raise DownloadError(f"could not download {url}: {err}") from err
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def file_sha256(path: Path) -> str:
    """sha256 of a file, or of a folder's files in name order; memoised on size and mtime."""
    path = Path(path)
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(child.relative_to(path).as_posix().encode())
            digest.update(file_sha256(child).encode())
        return digest.hexdigest()
    stat = path.stat()
    return _hash_cached(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _hash_cached(path: str, size: int, mtime_ns: int) -> str:
    return _hash_file(Path(path))


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()

"""Cache entries and learners' data as bytes, so a training can run on a machine without our disk.

A Ray task trains into its node's own cache and ships the finished entry back as the bytes of
its files; the app's side writes them into its cache atomically (`ModelCache.put_files`). A
learner's upload travels the other way: a file as its bytes, a folder as a zip, unpacked under
the same name on the node, so the dataset's fingerprint (a hash of content, never of paths) and
hence the cache key come out the same.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from dl_core.data.safe_zip import extract_zip
from dl_core.engine.cache import ENTRY_FILES, META, Entry, ModelCache


def pack_entry(entry: Entry) -> dict:
    files = {name: (entry.path / name).read_bytes() for name in (META, *ENTRY_FILES)}
    return {"topic": entry.topic, "key": entry.key, "files": files}


def unpack_entry(cache: ModelCache, packed: dict) -> Entry:
    """Write a packed entry into `cache` (an identical entry already there is kept)."""
    existing = cache.get(packed["topic"], packed["key"])
    if existing is not None:
        return existing
    return cache.put_files(packed["topic"], packed["key"], packed["files"])


def pack_data(path: str) -> dict:
    """A learner's data path as bytes: {"name", "kind": "file"|"folder", "blob"}."""
    source = Path(path)
    if source.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for child in sorted(p for p in source.rglob("*") if p.is_file()):
                archive.write(child, child.relative_to(source).as_posix())
        return {"name": source.name, "kind": "folder", "blob": buffer.getvalue()}
    return {"name": source.name, "kind": "file", "blob": source.read_bytes()}


def unpack_data(packed: dict, into: Path) -> str:
    """Recreate packed data under `into`; the path to hand to the topic."""
    if packed["kind"] == "folder":
        archive = Path(into) / "data.zip"
        archive.write_bytes(packed["blob"])
        return str(extract_zip(archive, Path(into) / "unpacked"))
    target = Path(into) / Path(packed["name"]).name
    target.write_bytes(packed["blob"])
    return str(target)

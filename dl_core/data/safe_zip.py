"""Unpack a learner's zip of class folders without trusting anything inside it.

A zip can name files `/etc/passwd` or `../../app.py` (a "zip slip"), hold symlinks, or be a
zip bomb: a few kilobytes that inflate to gigabytes. `extract_zip` checks every entry before
writing a single byte, then writes entries itself (never `ZipFile.extractall`) into a fresh
temporary folder, counting the bytes it actually inflates, and only a complete, checked
extraction is moved to its final, content-addressed place.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from dl_core.data.download import file_sha256

log = logging.getLogger(__name__)

MAX_TOTAL_BYTES = 400 * 1024 * 1024  # inflated size of all entries together
MAX_RATIO = 100  # inflated / compressed, for the whole archive and for any large entry
RATIO_CHECK_MIN_BYTES = 1024 * 1024  # tiny entries (empty files) may legitimately compress 1000×
MAX_ENTRIES = 10_000
MAX_NAME_CHARS = 200  # one path component (file systems allow 255 bytes; UTF-8 takes up to 4 a char)
MAX_PATH_CHARS = 1000
ENCRYPTED_FLAG = 0x1  # bit 0 of a zip entry's general-purpose flags


class UnsafeZipError(ValueError):
    """The archive was refused; the message says which entry and why, in one sentence."""


def check_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The file entries to extract, after refusing unsafe names, links and bombs."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UnsafeZipError(f"the zip holds {len(infos)} entries, more than the {MAX_ENTRIES} "
                             "allowed: zip only the class folders")
    total = compressed = 0
    files = []
    for info in infos:
        _check_name(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeZipError(f"the zip entry {info.filename!r} is a symbolic link; links are "
                                 "not accepted, zip the image files themselves")
        if info.flag_bits & ENCRYPTED_FLAG:
            raise UnsafeZipError(f"the zip entry {info.filename!r} is password-protected: zip the "
                                 "images again without a password")
        if info.is_dir():
            continue
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeZipError(f"the zip entry {info.filename!r} inflates "
                                 f"{info.file_size // max(info.compress_size, 1)}× (more than "
                                 f"{MAX_RATIO}×): this looks like a zip bomb and was refused")
        files.append(info)
    _check_collisions(infos)
    if total > MAX_TOTAL_BYTES:
        raise UnsafeZipError(f"the zip would unpack to {total / 1e6:.0f} MB, more than the "
                             f"{MAX_TOTAL_BYTES / 1e6:.0f} MB allowed: use fewer or smaller images")
    if total > RATIO_CHECK_MIN_BYTES and total > MAX_RATIO * max(compressed, 1):
        raise UnsafeZipError(f"the zip inflates {total // max(compressed, 1)}× overall (more than "
                             f"{MAX_RATIO}×): this looks like a zip bomb and was refused")
    return files


def _check_name(name: str) -> None:
    """Refuse absolute paths, drive letters and any `..` component (backslashes count too)."""
    normalised = name.replace("\\", "/")
    parts = PurePosixPath(normalised).parts
    if normalised.startswith("/") or (parts and len(parts[0]) >= 2 and parts[0][1] == ":"):
        raise UnsafeZipError(f"the zip entry {name!r} has an absolute path; paths inside the zip "
                             "must be relative (class_name/image.jpg)")
    if ".." in parts:
        raise UnsafeZipError(f"the zip entry {name!r} points outside the zip with '..'; it was "
                             "refused and nothing was extracted")
    if "\x00" in name:
        raise UnsafeZipError(f"the zip entry {name!r} has a NUL character in its name")
    if len(normalised) > MAX_PATH_CHARS or any(len(part) > MAX_NAME_CHARS for part in parts):
        raise UnsafeZipError(f"the zip entry {_short(name)!r} has a name longer than "
                             f"{MAX_NAME_CHARS} characters: rename it")


def _check_collisions(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse two entries with one name, and a file whose name is also a folder in the zip."""
    files, folders = set(), set()
    for info in infos:
        path = info.filename.replace("\\", "/").strip("/")
        parents = PurePosixPath(path).parents
        folders.update(str(parent) for parent in parents if str(parent) != ".")
        if info.is_dir():
            folders.add(path)
        elif path in files:
            raise UnsafeZipError(f"the zip holds {path!r} twice: keep one of them")
        else:
            files.add(path)
    clash = sorted(files & folders)
    if clash:
        raise UnsafeZipError(f"the zip holds both a file and a folder named {clash[0]!r}: rename one")


def _short(name: str, keep: int = 40) -> str:
    return name if len(name) <= keep else f"{name[:keep]}…"


def extract_zip(zip_path: str | Path, dest_root: str | Path) -> Path:
    """Extract a checked zip into `dest_root/zip-<sha>/` (reused when already there); a refused
    zip is logged with its reason."""
    try:
        return _extract(Path(zip_path), Path(dest_root))
    except UnsafeZipError as err:
        log.info("refused a zip (%s): %s", Path(zip_path).name, err)
        raise


def _extract(zip_path: Path, dest_root: Path) -> Path:
    zip_path = Path(zip_path)
    dest_root = Path(dest_root)
    final = dest_root / f"zip-{file_sha256(zip_path)[:24]}"
    if final.is_dir():
        return final
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise UnsafeZipError(f"{zip_path.name} is not a readable zip file ({err})") from None
    dest_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".unzip-", dir=dest_root))
    try:
        with archive:
            _write_entries(archive, check_entries(archive), tmp)
            _make_folders(archive, tmp)  # an empty class folder must exist, to be reported
        try:
            os.replace(tmp, final)
        except OSError:
            if not final.is_dir():  # someone else won the race only if the folder is now there
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _write_entries(archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], target: Path) -> None:
    budget = MAX_TOTAL_BYTES
    root = target.resolve()
    for info in files:
        out_path = (target / info.filename.replace("\\", "/")).resolve()
        if root not in out_path.parents:  # belt and braces after _check_name
            raise UnsafeZipError(f"the zip entry {info.filename!r} resolves outside the folder")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            budget = _copy_entry(archive, info, out_path, budget)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
            # A bad CRC, a local header that contradicts the directory, an unknown method...
            raise UnsafeZipError(f"the zip entry {_short(info.filename)!r} is damaged ({err}): "
                                 "zip the folders again") from None


def _make_folders(archive: zipfile.ZipFile, target: Path) -> None:
    for info in archive.infolist():
        if info.is_dir():  # names were checked by check_entries
            (target / info.filename.replace("\\", "/")).mkdir(parents=True, exist_ok=True)


def _copy_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, out_path: Path, budget: int) -> int:
    with archive.open(info) as source, open(out_path, "wb") as sink:
        # The header's sizes can lie: count what really comes out and stop at the budget.
        while chunk := source.read(1 << 20):
            budget -= len(chunk)
            if budget < 0:
                raise UnsafeZipError("the zip inflates to more than its headers declare: "
                                     "refused as a zip bomb")
            sink.write(chunk)
    return budget

"""A cache written by an older DL Lab, moved into today's layout once, without losing anything.

Before models had their own folder, `<cache>/<topic>/<key>/` held the models, and datasets
(`<cache>/datasets`) and backbone features (`<cache>/features`) sat beside them, where clearing
the models deleted them too. On first use the model entries move to `<cache>/models/`, the
datasets to the data directory and the features under the uploads' folder. Nothing is
retrained and nothing is deleted: an item whose new place is already taken stays where it was.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from filelock import FileLock

from dl_core import settings

log = logging.getLogger(__name__)

NOT_TOPICS = {"models", "uploads", "datasets", "features"}


def migrate_legacy_layout(root: Path, models: Path) -> None:
    with FileLock(str(root / ".migrate.lock")):
        for folder in _legacy_topic_folders(root):
            _move_children(folder, models / folder.name, "model")
        if _same(root, settings.cache_dir()):  # another root's datasets have no configured home
            _move_children(root / "datasets", settings.data_dir(), "dataset")
        _move_children(root / "features", root / "uploads" / "features", "features file")


def _legacy_topic_folders(root: Path) -> list[Path]:
    """Folders of the old layout: `<root>/<topic>/` with at least one `<key>/meta.json`."""
    found = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or folder.name in NOT_TOPICS:
            continue
        if any((child / "meta.json").is_file() for child in folder.iterdir() if child.is_dir()):
            found.append(folder)
    return found


def _move_children(source: Path, target: Path, what: str) -> None:
    if not source.is_dir() or _same(source, target):
        return
    target.mkdir(parents=True, exist_ok=True)
    for child in sorted(source.iterdir()):
        if child.name.startswith(".tmp-"):
            continue  # an unfinished write of the old layout: nothing to keep
        destination = target / child.name
        if destination.exists():
            log.warning("kept %s %s where it was: %s already exists", what, child, destination)
            continue
        shutil.move(str(child), str(destination))
        log.info("moved %s %s to %s", what, child.name, target)
    try:
        os.rmdir(source)
    except OSError:
        pass  # something was kept there


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False

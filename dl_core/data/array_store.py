"""Arrays computed once and kept on disk as .npz: a reader sees no file or a complete one.

Used for work that is deterministic but slow to redo: a transfer backbone's features of a
dataset, the built-in digits' seeded blocks. A damaged file is recomputed and replaced; a file
that cannot be read for another reason (permissions, a full disk) is left alone and the arrays
are recomputed in memory, so a read-only directory costs time, never correctness.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

log = logging.getLogger(__name__)

Arrays = dict[str, np.ndarray]


def load_or_compute(path: Path, compute: Callable[[], Arrays], touch: bool = False) -> tuple[Arrays, bool]:
    """(arrays, were_on_disk). `compute` runs only when no complete file is at `path`.

    `touch` marks a file read as recently used, for stores that expire files by age.
    """
    found = _read(path, touch)
    if found is not None:
        return found, True
    arrays = compute()
    _write(path, arrays)
    return arrays, False


def _read(path: Path, touch: bool) -> Arrays | None:
    if not path.is_file():
        return None
    try:
        with np.load(path) as data:
            arrays = {name: data[name] for name in data.files}
        if touch:
            os.utime(path)
        return arrays
    except (ValueError, EOFError, zipfile.BadZipFile) as err:  # proven damaged: recompute
        log.warning("recomputing damaged file %s: %s", path.name, err)
        path.unlink(missing_ok=True)
    except OSError as err:  # a failed read: recompute, but leave the file alone
        log.warning("could not read %s (%s); recomputing", path.name, err)
    return None


def _write(path: Path, arrays: Arrays) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=".npz")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)  # readers see no file or a complete one
    except OSError as err:  # the arrays are still returned; only the reuse is lost
        log.warning("could not keep %s on disk: %s", path.name, err)

"""Heavy libraries imported once, by one session at a time, before any page runs.

Every learner's session runs app.py in its own thread. When two of them import pandas and
plotly for the first time at once, Python's per-module import locks can deadlock; Python breaks
the deadlock by handing one thread a half-initialised module ("partially initialized module
'pandas' has no attribute 'Series'"), seen when two learners opened results right after a
server start. Importing them here, under one lock, makes the first imports sequential.
"""

from __future__ import annotations

import importlib
import threading

SHARED_LIBRARIES = ("numpy", "pandas", "plotly.graph_objects", "plotly.express", "plotly.subplots")

_lock = threading.Lock()
_done = False


def import_shared_libraries() -> None:
    global _done
    if _done:
        return
    with _lock:
        for name in SHARED_LIBRARIES:
            importlib.import_module(name)
        _done = True

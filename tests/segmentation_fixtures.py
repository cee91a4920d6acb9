"""The tiny segmentation setting shared by the segmentation test files, trained once per session."""

from tiny_settings import TINY_SEGMENTATION as TINY

from conftest import _SESSION_CACHE


def train_tiny():
    """TINY trained once into the session cache (the AppTests read the same entry)."""
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load

    entry, _ = train_or_load(resolve("segmentation", TINY), ModelCache(_SESSION_CACHE))
    return entry

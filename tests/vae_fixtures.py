"""Tiny VAE settings and session fixtures shared by the VAE test files."""

import pytest
from tiny_settings import TINY_SPRITES, TINY_VAE  # noqa: F401  (the VAE tests import them from here)

from conftest import _SESSION_CACHE


def _train(params):
    from dl_core.engine.cache import ModelCache
    from dl_core.engine.runner import resolve, train_or_load

    entry, _ = train_or_load(resolve("vae", params), ModelCache(_SESSION_CACHE))
    return entry


@pytest.fixture(scope="session")
def tiny_vae():
    """A tiny digits VAE trained once into the session cache; AppTests show it from there."""
    return _train(TINY_VAE)


@pytest.fixture(scope="session")
def tiny_sprites_vae():
    return _train(TINY_SPRITES)

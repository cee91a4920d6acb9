"""Tiny VAE settings and session fixtures shared by the VAE test files."""

import pytest

from conftest import _SESSION_CACHE

# The smallest VAE settings worth training: a few seconds on a CPU.
TINY_VAE = {"train_size": 200, "epochs": 1, "latent_dim": 2, "batch_size": 64}
TINY_SPRITES = dict(TINY_VAE, dataset="sprites", latent_dim=4)


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

"""Autoencoder topic: the data sources, the model shapes and tiny real trainings."""

import numpy as np
import pytest

from dl_core.data import builtin_digits, digits
from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.topics import autoencoder as topic

from conftest import TINY_AE


def test_builtin_digits_are_deterministic_and_mnist_like():
    x1, y1, xv, yv = builtin_digits.generate(300, 100)
    builtin_digits.generate.cache_clear()
    builtin_digits._training_chunk.cache_clear()
    x2, y2, _, _ = builtin_digits.generate(300, 100)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    # A smaller set is the start of a larger one, and the larger one draws nothing twice.
    x3, y3, xv3, _ = builtin_digits.generate(1300, 100)
    assert np.array_equal(x3[:300], x1) and np.array_equal(y3[:300], y1)
    assert np.array_equal(xv3, xv)
    assert not np.array_equal(x3[:300], x3[1000:1300])
    assert x1.shape == (300, 28, 28) and x1.dtype == np.uint8
    assert np.bincount(y1, minlength=10).min() == 30  # balanced classes
    # MNIST's mean intensity is about 0.13: mostly black background, white strokes.
    assert 0.08 < x1.mean() / 255 < 0.2
    assert x1[:, 0, :].mean() < x1[:, 10:18, 10:18].mean()  # ink in the centre, not the border


def test_offline_without_files_uses_builtin_and_says_why():
    source = digits.find_source("digits")
    assert source.origin == "builtin" and "no internet" in source.note
    fashion = digits.find_source("fashion")
    assert fashion.origin == "builtin" and "Fashion-MNIST is not available offline" in fashion.note


def test_real_mnist_file_from_shared_data(shared_data, monkeypatch):
    path = shared_data / "mnist" / "mnist.npz"
    monkeypatch.setenv("DL_LAB_MNIST_NPZ", str(path))
    data = digits.load_digits("digits", train_size=500)
    assert data.info.source == "real" and data.info.name == "MNIST"
    assert data.x_train.shape == (500, 28, 28) and data.x_val.shape == (1000, 28, 28)
    assert abs(float(data.x_train.mean()) - 0.13) < 0.02
    assert path.exists()  # our loader never deletes a file it cannot verify (Keras's does)


def test_generated_keras_layout_npz_and_bad_files(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    good = tmp_path / "mnist.npz"
    np.savez(good, x_train=rng.integers(0, 255, (300, 28, 28), dtype=np.uint8),
             y_train=np.arange(300) % 10, x_test=np.zeros((50, 28, 28), np.uint8), y_test=np.zeros(50))
    data = digits.load_digits("digits", train_size=200, data=str(good))
    assert data.info.source == "real" and data.x_val.shape == (50, 28, 28)
    with pytest.raises(ValueError, match="has only 300 training images"):
        digits.load_digits("digits", train_size=1000, data=str(good))
    bad = tmp_path / "bad.npz"
    np.savez(bad, images=np.zeros((3, 28, 28)))
    with pytest.raises(ValueError, match="not in the Keras layout"):
        digits.load_digits("digits", data=str(bad))
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="could not be read"):
        digits.load_digits("digits", data=str(junk))


@pytest.mark.parametrize("builder", ["build_conv_autoencoder", "build_dense_autoencoder"])
@pytest.mark.parametrize("bottleneck", [2, 64])
def test_models_reconstruct_the_input_shape(builder, bottleneck):
    from dl_core.models import autoencoder as models

    model = getattr(models, builder)(bottleneck=bottleneck)
    assert model.output_shape == (None, 28, 28, 1)
    assert model.get_layer("encoder").output_shape == (None, bottleneck)


def test_corrupt_keeps_pixels_in_range_and_is_seeded():
    clean = np.full((4, 28, 28, 1), 0.5, np.float32)
    noisy = topic.corrupt(clean, 0.5, seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 1 and not np.array_equal(noisy, clean)
    assert np.array_equal(noisy, topic.corrupt(clean, 0.5, seed=1))


def test_tiny_training_on_builtin_data(tiny_autoencoder):
    entry = tiny_autoencoder
    assert entry.meta["dataset"]["source"] == "builtin"
    assert entry.metrics["val_mse"] > 0 and entry.metrics["baseline_mse"] > 0
    previews = entry.previews()
    assert len(previews) == TINY_AE["epochs"] + 1  # epoch 0 (untrained) + one per epoch
    assert previews[0].shape == previews[-1].shape and not np.array_equal(previews[0], previews[-1])
    artifacts = entry.artifacts()
    assert artifacts["latent_2d"].shape == (1000, 2) and entry.meta["info"]["latent_method"] == "raw"
    recon, error = topic.reconstruct(entry.model_path, np.zeros((28, 28), np.float32))
    assert recon.shape == (28, 28) and recon.dtype == np.uint8 and error >= 0


def test_tiny_denoising_training_on_real_format_data(shared_data, monkeypatch, tmp_path):
    monkeypatch.setenv("DL_LAB_MNIST_NPZ", str(shared_data / "mnist" / "mnist.npz"))
    params = dict(TINY_AE, denoise=True, noise=0.4, architecture="dense", bottleneck=8)
    entry, hit = train_or_load(resolve("autoencoder", params), ModelCache(tmp_path))
    assert not hit and entry.meta["dataset"]["name"] == "MNIST"
    assert entry.metrics["noisy_input_mse"] > 0
    assert entry.previews()[0].shape[0] > 28 * 2  # three rows: clean, noisy, reconstruction
    assert entry.artifacts()["latent_2d"].shape == (1000, 2)
    assert entry.meta["info"]["latent_method"] == "pca"

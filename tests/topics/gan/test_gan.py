"""GAN topics: losses, one-step directions, metrics, the custom-points CSV, tiny real trainings."""

import math

import numpy as np
import pytest
from tiny_settings import TINY_CLASSIFIER, TINY_DCGAN, TINY_RING

from dl_core.data import toy2d
from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load
from dl_core.topics.gan import judge as gan_classifier
from dl_core.topics.gan import metrics as gan_metrics


def test_losses_on_known_inputs():
    from keras import ops

    from dl_core.models.gan_losses import discriminator_loss, generator_loss, realness

    zero, big = ops.zeros((4, 1)), ops.full((4, 1), 20.0)
    value = lambda t: float(ops.convert_to_numpy(t))  # noqa: E731
    log2 = math.log(2)
    # D undecided (logit 0): −log ½ for real plus −log ½ for fake.
    assert value(discriminator_loss(zero, zero, "standard")) == pytest.approx(2 * log2, rel=1e-5)
    assert value(discriminator_loss(big, -big, "non_saturating")) == pytest.approx(0, abs=1e-6)
    assert value(generator_loss(zero, "standard")) == pytest.approx(-log2, rel=1e-5)
    assert value(generator_loss(zero, "non_saturating")) == pytest.approx(log2, rel=1e-5)
    # Saturation: D sure the fakes are fake (logit −20): standard G loss is flat, NS is steep.
    assert value(generator_loss(-big, "standard")) == pytest.approx(0, abs=1e-6)
    assert value(generator_loss(-big, "non_saturating")) == pytest.approx(20, rel=1e-4)
    ones = ops.ones((4, 1))
    assert value(discriminator_loss(ones, zero, "least_squares")) == 0
    assert value(generator_loss(zero, "least_squares")) == pytest.approx(0.5)
    assert value(ops.mean(realness(big, "least_squares"))) == 1.0
    with pytest.raises(ValueError, match="not one of"):
        generator_loss(zero, "wasserstein")


def _tiny_gan(loss="non_saturating"):
    import keras

    from dl_core.models.gan import GAN, build_mlp_discriminator, build_mlp_generator

    keras.utils.set_random_seed(0)
    gan = GAN(build_mlp_generator(2, 2, 16), build_mlp_discriminator(2, 16), latent_dim=2)
    gan.compile(keras.optimizers.SGD(0.05), keras.optimizers.SGD(0.05), loss)
    return gan


@pytest.mark.parametrize("loss", ["standard", "non_saturating", "least_squares"])
def test_one_step_moves_each_player_the_right_way(loss):
    from keras import ops

    from dl_core.models.gan_losses import discriminator_loss, generator_loss

    gan = _tiny_gan(loss)
    rng = np.random.default_rng(0)
    real = toy2d.get_target("ring8").sample(256, rng)
    z = rng.standard_normal((256, 2)).astype(np.float32)
    fake = gan.generator(z)
    d_loss = lambda: float(discriminator_loss(gan.discriminator(real), gan.discriminator(fake), loss))  # noqa: E731
    g_loss = lambda: float(generator_loss(gan.discriminator(gan.generator(z)), loss))  # noqa: E731
    g_weights = [w.numpy().copy() for w in gan.generator.weights]

    before = d_loss()
    _take(gan, gan.discriminator_step, ops.convert_to_tensor(real))
    assert d_loss() < before  # D got better at telling this real batch from these fakes
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(g_weights, gan.generator.weights))

    d_weights = [w.numpy().copy() for w in gan.discriminator.weights]
    before = g_loss()
    _take(gan, gan.generator_step, 256)
    assert g_loss() < before  # G got better at fooling this (unchanged) D
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(d_weights, gan.discriminator.weights))


def _take(gan, step, batch):
    """Run one player's pure step on the GAN's current weights and keep the result."""
    values, _ = step(gan.current_values(), batch)
    gan.keep(values)


def test_mode_metrics_and_js_divergence():
    centres = toy2d.ring_centres()
    perfect = np.repeat(centres, 50, axis=0)
    stats = gan_metrics.mode_stats(perfect, centres, 0.05)
    assert stats == {"modes_covered": 8, "mode_count": 8, "high_quality_fraction": 1.0}
    collapsed = np.repeat(centres[:1], 400, axis=0)
    assert gan_metrics.mode_stats(collapsed, centres, 0.05)["modes_covered"] == 1
    far = np.zeros((100, 2))  # the centre of the ring is 2 away from every mode
    assert gan_metrics.mode_stats(far, centres, 0.05)["high_quality_fraction"] == 0.0
    rng = np.random.default_rng(0)
    sample = toy2d.get_target("ring8").sample
    assert gan_metrics.js_divergence(sample(20000, rng), sample(20000, rng)) < 0.05
    assert gan_metrics.js_divergence(perfect, far) == pytest.approx(math.log(2), rel=1e-6)


def test_classifier_figures():
    uniform = np.eye(10)[np.arange(1000) % 10]
    assert gan_metrics.classifier_figures(uniform) == pytest.approx({"sample_confidence": 1.0,
                                                                     "class_coverage": 1.0})
    collapsed = np.tile(np.full(10, 0.1), (50, 1))
    collapsed[:, 3] = 0.5
    figures = gan_metrics.classifier_figures(collapsed)
    assert figures["class_coverage"] == 0.0 and figures["sample_confidence"] == pytest.approx(0.5)


def test_points_csv_good_and_bad():
    good = b"x,y\n" + b"".join(f"{i},{i % 7}\n".encode() for i in range(30))
    points = toy2d.read_points_csv(good)
    assert points.shape == (30, 2) and np.abs(points).max() == pytest.approx(2.5)
    assert toy2d.read_points_csv(toy2d.points_to_csv(points)) == pytest.approx(points, abs=1e-4)
    for raw, message in [(b"a,b,c\n" + b"1,2,3\n" * 30, "expected exactly 2"),
                         (b"1,2\n" * 5, "at least 20"), (b"\xff\xfe\x00garbage", "not text"),
                         (b"x,y\n" + b"1,oops\n" * 30, "could not read"),
                         (b"1,2\n" * 25 + b"nan,1\n", "NaN")]:
        with pytest.raises(ValueError, match=message):
            toy2d.read_points_csv(raw)
    with pytest.raises(ValueError, match="needs your points"):
        resolve("gan", {"target": "custom"})


def test_tiny_ring_covers_most_modes_and_reloads(cache_dir):
    import keras

    entry, _ = train_or_load(resolve("gan", TINY_RING, seed=0), ModelCache(cache_dir))
    metrics = entry.metrics
    assert metrics["modes_covered"] >= 6, metrics
    assert 0 <= metrics["high_quality_fraction"] <= 1 and 0 <= metrics["js_divergence"] <= math.log(2)
    art = entry.artifacts()
    snapshots = len(entry.previews())
    assert art["snap_fake"].shape == (snapshots, 500, 2) and art["snap_heat"].shape == (snapshots, 48, 48)
    assert art["snap_mesh"].shape == (snapshots, 15, 15, 2) and snapshots == 21
    assert art["snap_modes"][0] < art["snap_modes"][-1]  # coverage grew during training
    assert set(entry.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    model = keras.saving.load_model(entry.model_path, compile=False)
    z = np.random.default_rng(7).standard_normal((500, 2)).astype(np.float32)
    assert np.allclose(keras.ops.convert_to_numpy(model.generator(z)), art["snap_fake"][-1], atol=1e-5)


def test_custom_points_target(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_bytes(toy2d.points_to_csv(np.random.default_rng(0).uniform(-1, 1, (40, 2))))
    target = toy2d.get_target("custom", str(path))
    assert target.centres is None and target.sample(100, np.random.default_rng(0)).shape == (100, 2)
    resolved = resolve("gan", {"target": "custom"}, data=str(path))
    assert resolved.fingerprint.startswith("toy2d:custom:")
    other = tmp_path / "other.csv"
    other.write_bytes(toy2d.points_to_csv(np.random.default_rng(1).uniform(-1, 1, (40, 2))))
    assert resolve("gan", {"target": "custom"}, data=str(other)).key != resolved.key


def test_tiny_dcgan_metrics_in_unit_range(cache_dir, monkeypatch):
    from dl_core.topics.gan import digits as gan_digits

    monkeypatch.setattr(gan_classifier, "SETTINGS", TINY_CLASSIFIER)
    entry, _ = train_or_load(resolve("gan_digits", TINY_DCGAN), ModelCache(cache_dir))
    for name in ("sample_confidence", "class_coverage", "real_confidence", "real_coverage",
                 "d_real", "d_fake"):
        assert 0 <= entry.metrics[name] <= 1, (name, entry.metrics)
    assert len(entry.previews()) == 2 and entry.previews()[0].shape == (4 * 30 - 2, 8 * 30 - 2)
    row = gan_digits.interpolate(entry.model_path, 8, 1, 2, steps=5)
    assert row.shape == (28, 5 * 30 - 2) and row.dtype == np.uint8
    # The classifier was cached under its own key: asking again trains nothing.
    judge, hit = train_or_load(resolve("gan_classifier", gan_classifier.judge_params("digits")),
                               ModelCache(cache_dir))
    assert hit and judge.metrics["val_accuracy"] == entry.metrics["classifier_accuracy"]


def test_saved_gan_loads_in_a_fresh_process(cache_dir):
    """The page process has never imported the model module: loading must still find the class."""
    import subprocess
    import sys

    from conftest import ROOT

    entry, _ = train_or_load(resolve("gan", {"steps": 200}), ModelCache(cache_dir))
    code = ("from dl_core.topics.gan import digits as gan_digits; import numpy as np; "
            f"gan = gan_digits.load_gan({str(entry.model_path)!r}); "
            "print(gan(np.zeros((3, 2), 'float32')).shape)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("(3, 2)")

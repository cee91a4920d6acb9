"""AppTest of the GAN page: both modes from the cache, the form, custom points, bad input."""

import pytest
from streamlit.testing.v1 import AppTest

from dl_core.engine.cache import ModelCache
from dl_core.engine.runner import resolve, train_or_load

from apptest_helpers import image_captions, open_app_page
from conftest import _SESSION_CACHE

TOY = {"steps": 200}
DIGITS = {"train_size": 256, "epochs": 1, "batch_size": 64, "latent_dim": 8}
PAGE = "app_pages/gan.py"


@pytest.fixture(scope="module")
def trained():
    """Tiny toy and DCGAN entries in the session cache (the one the page reads)."""
    from dl_core.topics.gan import judge as gan_classifier

    saved = gan_classifier.SETTINGS
    gan_classifier.SETTINGS = {"train_size": 500, "epochs": 1, "batch_size": 128}
    try:
        cache = ModelCache(_SESSION_CACHE)
        toy, _ = train_or_load(resolve("gan", TOY), cache)
        digits, _ = train_or_load(resolve("gan_digits", DIGITS), cache)
    finally:
        gan_classifier.SETTINGS = saved
    return toy, digits


def open_gan(params: dict) -> AppTest:
    return open_app_page(PAGE, params, timeout=60)


def test_untrained_toy_setting_invites_training():
    at = open_gan({"steps": 333})
    assert not at.exception
    assert any("has not been trained yet" in i.value for i in at.info)
    assert at.radio(key="gan_mode").value == "toy2d"
    assert any("min_G" in latex.value for latex in at.latex)  # the minimax game is on the page


def test_toy_result_from_cache(trained):
    at = open_gan(TOY)
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert {"Modes covered", "High-quality fraction", "JS divergence"} <= set(labels)
    slider = at.slider(key="gan_snapshot")
    assert slider.max == 20 and slider.value == 20
    slider.set_value(3).run()
    assert not at.exception
    assert any("after 30 generator steps" in m.value for m in at.markdown)


def test_custom_target_without_points_says_what_to_do():
    at = open_gan({"target": "custom"})
    assert not at.exception
    assert any("needs your points" in e.value for e in at.error)


def test_bad_points_csv_is_an_error_not_a_traceback():
    at = open_gan({"target": "custom"})
    at.file_uploader(key="gan_points_csv").set_value(("p.csv", b"a,b,c\n1,2,3\n", "text/csv")).run()
    assert not at.exception
    assert any("cannot be used" in e.value for e in at.error)


def test_good_points_csv_becomes_the_target():
    rows = b"x,y\n" + b"".join(f"{i % 5},{i // 5}\n".encode() for i in range(25))
    at = open_gan({"target": "custom"})
    at.file_uploader(key="gan_points_csv").set_value(("p.csv", rows, "text/csv")).run()
    assert not at.exception and not at.error
    assert any("Current custom target: 25 points" in c.value for c in at.caption)
    assert any("has not been trained yet" in i.value for i in at.info)


def test_dcgan_mode_from_cache(trained):
    at = open_gan({"mode": "dcgan", **DIGITS})
    assert not at.exception and not at.error
    assert at.radio(key="gan_mode").value == "dcgan"
    labels = [m.label for m in at.metric]
    assert {"Sample confidence", "Class coverage", "Real images (reference)"} <= set(labels)
    assert at.slider(key="gan_digits_epoch").max == 1
    captions = image_captions(at)
    assert any(c.startswith("From z_a (seed 1) to z_b (seed 2)") for c in captions)
    assert any("built-in digits" in i.value for i in at.info)


def test_bad_mode_in_link_is_ignored():
    at = open_gan({"mode": "wgan"})
    assert not at.exception
    assert any("mode='wgan'" in w.value for w in at.warning)

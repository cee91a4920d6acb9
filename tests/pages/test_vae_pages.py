"""AppTest of the VAE page: cached results, traversal sliders, uploads good and bad, sprites."""


import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import image_captions, open_app_page
from make_files import digit_png, solid_image
from vae_fixtures import TINY_SPRITES, TINY_VAE, tiny_sprites_vae, tiny_vae  # noqa: F401

VAE_PAGE = "app_pages/vae.py"


def open_vae(params: dict) -> AppTest:
    return open_app_page(VAE_PAGE, params, timeout=60)


def test_untrained_setting_invites_training(tiny_vae):
    at = open_vae(dict(TINY_VAE, latent_dim=3))
    assert not at.exception
    assert any("has not been trained yet" in i.value for i in at.info)
    assert at.select_slider(key="vae_beta").value == 1.0


def test_cached_result_shows_metrics_traversal_and_live_sliders(tiny_vae):
    at = open_vae(TINY_VAE)
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert {"Validation loss", "Reconstruction", "KL", "Active dimensions"} <= set(labels)
    assert "Disentanglement" not in labels  # digits have no known factors
    assert any("built-in digits" in i.value for i in at.info)
    captions = image_captions(at)
    assert "Rows: z1, z2, … · columns: −3 … +3" in captions
    assert any(c.startswith("decoded in") for c in captions)
    assert any(c.startswith("16 decoded samples") for c in captions)
    sliders = [s for s in at.slider if s.label == "z1"]
    assert len(sliders) == 1 and sliders[0].value == 0.0  # starts at the prior mean
    sliders[0].set_value(2.5).run()
    assert not at.exception and [s for s in at.slider if s.label == "z1"][0].value == 2.5
    at.radio(key="vae_start").set_value("a validation image").run()
    assert not at.exception
    assert any(c.startswith("validation image 0") for c in image_captions(at))


def test_good_upload_is_encoded_and_traversed(tiny_vae):
    at = open_vae(TINY_VAE)
    at.file_uploader(key="vae_upload").set_value(("one.png", digit_png(), "image/png"))
    at.run()
    assert not at.exception and not at.error
    captions = image_captions(at)
    assert {"original grayscale", "28×28", "decoded from its μ"} <= set(captions)
    assert any(c.startswith("Traversal from your image") for c in captions)


@pytest.mark.parametrize("name,payload", [("broken.png", b"\x89PNG\r\n\x1a\n garbage"),
                                          ("notes.png", b"hello world")])
def test_bad_upload_shows_error_not_traceback(tiny_vae, name, payload):
    at = open_vae(TINY_VAE)
    at.file_uploader(key="vae_upload").set_value((name, payload, "image/png"))
    at.run()
    assert not at.exception
    assert at.error and all(e.value for e in at.error)


def test_blank_upload_is_a_warning(tiny_vae):
    at = open_vae(TINY_VAE)
    at.file_uploader(key="vae_upload").set_value(("blank.png", solid_image(50, 50, (255, 255, 255)), "image/png"))
    at.run()
    assert not at.exception
    assert any("cannot be used" in w.value for w in at.warning)


def test_sprites_show_the_disentanglement_heatmap_and_comparison(tiny_sprites_vae):
    at = open_vae(TINY_SPRITES)
    assert not at.exception and not at.error
    assert "Disentanglement score" in [m.label for m in at.metric]
    assert any("Disentanglement" == h.value for h in at.subheader)
    assert at.selectbox(key="vae_colour").value == "x"
    # β = 1 is this very run; the large β has not been trained: a button offers it.
    assert any(b.label == "Train β = 8" for b in at.button)


def test_beta_link_value_off_the_stops_is_kept(tiny_vae):
    at = open_vae(dict(TINY_VAE, latent_dim=3, beta=3))
    assert not at.exception
    assert at.select_slider(key="vae_beta").value == 3.0

"""AppTest of the VAE page: cached results, traversal sliders, uploads good and bad, sprites."""


import json

import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import image_captions, open_app_page
from make_files import digit_png, solid_image
from vae_fixtures import TINY_SPRITES, TINY_VAE, tiny_sprites_vae, tiny_vae  # noqa: F401

VAE_PAGE = "app_pages/vae.py"


def open_vae(params: dict) -> AppTest:
    return open_app_page(VAE_PAGE, params, timeout=60)


def plotly_figures(at: AppTest) -> dict[str, dict]:
    """Every plotly chart on the page: {element id: figure JSON}."""
    found = {}

    def walk(node):
        if getattr(node, "type", None) == "plotly_chart":
            found[node.proto.id] = json.loads(node.proto.spec)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def traversal_figures(at: AppTest) -> list[dict]:
    """The plotly charts that are traversals: an image with one tick per latent dimension."""
    return [f for f in plotly_figures(at).values()
            if f["data"] and f["data"][0]["type"] == "image"
            and "z1 · KL" in f["layout"]["yaxis"].get("ticktext", [""])[0]]


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
    assert any(c.value.startswith("Traversal from the prior mean z = 0.") for c in at.caption)
    # The traversal names its rows (z_j and its KL) and columns (the value given to z_j).
    kl = tiny_vae.artifacts()["kl_per_dim"]
    traversal = traversal_figures(at)[0]
    rows = traversal["layout"]["yaxis"]["ticktext"]
    assert len(rows) == 2 and f"z1 · KL {kl[0]:.2f}" in rows[0] and f"z2 · KL {kl[1]:.2f}" in rows[1]
    assert traversal["layout"]["xaxis"]["ticktext"][0] == "−3"
    assert traversal["layout"]["xaxis"]["ticktext"][-1] == "+3"
    # "Active" is defined on the page, and counts what the metric counts.
    active = tiny_vae.metrics["active_dims"]
    assert any(f"**{active} of 2** dimensions are active" in m.value and "at least 0.05" in m.value
               for m in at.markdown)
    assert any(c.startswith("decoded in") for c in captions)
    assert any(c.startswith("16 decoded samples") and "4 × 4" in c for c in captions)
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
    assert any(c.value.startswith("Traversal from your image's μ") for c in at.caption)
    assert len(traversal_figures(at)) == 3  # the page's, the β = 1 column's, the upload's


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
    # The traversal here and in the β = 1 column: four labelled rows each.
    traversals = traversal_figures(at)
    assert len(traversals) == 2 and all(len(t["layout"]["yaxis"]["ticktext"]) == 4 for t in traversals)
    # The disentanglement heatmap, drawn by the shared helper, has its colour bar.
    heatmaps = [f for f in plotly_figures(at).values() if f["data"][0]["type"] == "heatmap"]
    assert len(heatmaps) == 1 and heatmaps[0]["data"][0]["showscale"] is True
    assert heatmaps[0]["data"][0]["colorbar"]["title"]["text"] == "|r| or η"


def test_beta_link_value_off_the_stops_is_kept(tiny_vae):
    at = open_vae(dict(TINY_VAE, latent_dim=3, beta=3))
    assert not at.exception
    assert at.select_slider(key="vae_beta").value == 3.0

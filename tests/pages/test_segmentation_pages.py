"""AppTest of the segmentation page: a cached tiny U-Net, its timeline, comparison and upload."""


import pytest
from streamlit.testing.v1 import AppTest

from apptest_helpers import image_captions, open_app_page
from make_files import photo_png
from segmentation_fixtures import TINY, train_tiny

PAGE = "app_pages/segmentation.py"


@pytest.fixture(scope="module")
def tiny_entry():
    return train_tiny()


def open_page(params: dict) -> AppTest:
    return open_app_page(PAGE, params, timeout=90)




def test_untrained_setting_invites_training_and_draws_the_unet(tiny_entry):
    at = open_page(dict(TINY, depth=3))
    assert not at.exception
    assert any("has not been trained yet" in i.value for i in at.info)
    assert any("dl_core.conv.arithmetic" in c.value for c in at.caption)  # the architecture is shown


def test_cached_result_timeline_and_comparison(tiny_entry):
    at = open_page(TINY)
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert {"Validation mean IoU", "Pixel accuracy", "Dice", "Baseline pixel accuracy"} <= set(labels)
    assert any("built-in scenes" in i.value for i in at.info)  # the page names its data
    slider = at.slider(key="segmentation_epoch")
    assert slider.max == TINY["epochs"]
    slider.set_value(0).run()
    assert any("after epoch 0" in c for c in image_captions(at))
    # The no-skip twin is not cached: its side of the comparison says how to get it.
    assert any("flip **Skip connections**" in i.value for i in at.info)


def test_upload_shows_overlay_and_mask_download(tiny_entry):
    at = open_page(TINY)
    at.file_uploader(key="segmentation_upload").set_value(("cat.png", photo_png(), "image/png"))
    at.run()
    assert not at.exception and not at.error
    assert {"predicted mask over your photo", "predicted mask"} <= set(image_captions(at))
    at.slider(key="segmentation_opacity").set_value(0.2).run()
    assert not at.exception


@pytest.mark.parametrize("name,payload", [("broken.png", b"\x89PNG\r\n\x1a\n garbage"), ("empty.jpg", b"")])
def test_bad_upload_shows_error_not_traceback(tiny_entry, name, payload):
    at = open_page(TINY)
    at.file_uploader(key="segmentation_upload").set_value((name, payload, "image/png"))
    at.run()
    assert not at.exception and at.error


def test_missing_pets_folder_is_a_clear_error(tiny_entry, monkeypatch, tmp_path):
    monkeypatch.setenv("DL_LAB_PETS_DIR", str(tmp_path / "nowhere"))
    at = open_page(dict(TINY, dataset="pets"))
    assert not at.exception
    assert any("does not exist" in e.value for e in at.error)

"""Real browser: train a tiny U-Net on the segmentation page and scrub its epoch slider."""

import re
from urllib.parse import urlencode

import pytest

from conftest import screenshot, wait_for_images
from segmentation_fixtures import TINY

pytestmark = pytest.mark.browser

TWO_EPOCHS = dict(TINY, epochs=2)


def test_train_a_tiny_unet_and_scrub_the_epochs(app_url, page):
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{app_url}/segmentation?{urlencode(TWO_EPOCHS)}")
    page.get_by_role("heading", name="Segmentation with a U-Net").wait_for()
    page.get_by_text("has not been trained yet").wait_for()
    # Let the first run finish (its last element is the code panel) before pressing Train: a
    # click during the first run would submit the form before its widgets hold the URL's values.
    page.get_by_text("The Keras code of this model").wait_for()
    page.wait_for_timeout(3000)
    page.get_by_role("button", name="Train", exact=True).click()

    page.get_by_text(re.compile(r"Validation mean IoU|Training failed")).first.wait_for(timeout=300_000)
    screenshot(page, "segmentation-after-training")
    assert not page.get_by_text("Training failed").count(), page.inner_text("[data-testid='stMain']")
    page.get_by_text(re.compile(r"Fixed validation images after epoch 2")).wait_for()
    screenshot(page, "segmentation-trained")

    # Scrub back to the untrained model: drag the Epoch slider's thumb to the left end (a pointer
    # drag, as in test_conv_browser: keyboard focus is not reliably delivered in headless chromium).
    slider = page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text("Epoch", exact=True))
    thumb = slider.locator('[data-testid="stSliderThumbValue"]').locator("xpath=..")
    thumb.scroll_into_view_if_needed()
    start, track = thumb.bounding_box(), thumb.locator("xpath=..").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] - 20, start["y"] + start["height"] / 2, steps=8)
    page.mouse.up()
    page.get_by_text(re.compile(r"Fixed validation images after epoch 0")).wait_for(timeout=30_000)
    wait_for_images(page, at_least=4)
    screenshot(page, "segmentation-epoch0")

"""Real browser: train a tiny VAE on the VAE page, then move a latent slider and see it decode."""

import re
from urllib.parse import urlencode

import pytest

from conftest import screenshot
from vae_fixtures import TINY_VAE

pytestmark = pytest.mark.browser


def test_train_a_tiny_vae_and_move_a_traversal_slider(app_url, page):
    page.goto(f"{app_url}/vae?{urlencode(TINY_VAE)}")
    page.get_by_role("heading", name="Variational autoencoder (VAE)").wait_for()
    page.get_by_text("has not been trained yet").wait_for()
    page.get_by_role("button", name="Train", exact=True).click()

    page.get_by_text("Validation loss").wait_for(timeout=180_000)
    caption = page.get_by_text(re.compile(r"^decoded in \d+ ms$"))
    caption.wait_for(timeout=60_000)
    decoded = page.locator("[data-testid='stImage']").filter(has=caption).locator("img")
    before = decoded.get_attribute("src")

    slider = page.get_by_role("slider", name="z1")
    assert slider.get_attribute("aria-valuetext") == "0.00"
    slider.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, old]) => el && el.getAttribute('src') !== old",
        arg=[decoded.element_handle(), before], timeout=30_000)
    assert page.get_by_role("slider", name="z1").get_attribute("aria-valuetext") == "1.50"
    screenshot(page, "vae-trained-slider-moved")
